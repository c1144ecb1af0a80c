//! Generated from LVM2 2.03.16 runs; see the module comment in tests/mod.rs.

use super::{lvm2, lvs, pvs, same, vgs};

/// `lvs --reportformat json rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_json() {
    same(
        &lvs(&["--reportformat", "json"]),
        &lvm2(
            r#"  {
      "report": [
          {
              "lv": [
                  {"lv_name":"lv1", "vg_name":"rptvg1", "lv_attr":"owi-XXs---", "lv_size":"20.00m", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"lvro", "vg_name":"rptvg1", "lv_attr":"-rc-XX---k", "lv_size":"12.00m", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"lvspan", "vg_name":"rptvg1", "lv_attr":"-wi-XX----", "lv_size":"180.00m", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"lvspan2", "vg_name":"rptvg1", "lv_attr":"Owi-XXs---", "lv_size":"92.00m", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"snap1", "vg_name":"rptvg1", "lv_attr":"swi-XXs---", "lv_size":"8.00m", "pool_lv":"", "origin":"lv1", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"Small", "vg_name":"rptvg2", "lv_attr":"-wi-XX----", "lv_size":"5.00m", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""},
                  {"lv_name":"big", "vg_name":"rptvg2", "lv_attr":"-wi-XX----", "lv_size":"<2.00g", "pool_lv":"", "origin":"", "data_percent":"", "metadata_percent":"", "move_pv":"", "mirror_log":"", "copy_percent":"", "convert_lv":""}
              ]
          }
      ]
  }
"#,
        ),
    );
}

/// `vgs --reportformat json rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_json() {
    same(
        &vgs(&["--reportformat", "json"]),
        r#"  {
      "report": [
          {
              "vg": [
                  {"vg_name":"rptvg1", "pv_count":"2", "lv_count":"5", "snap_count":"2", "vg_attr":"wz--n-", "vg_size":"344.00m", "vg_free":"28.00m"},
                  {"vg_name":"rptvg2", "pv_count":"1", "lv_count":"2", "snap_count":"0", "vg_attr":"wz--n-", "vg_size":"<3.00g", "vg_free":"1023.00m"},
                  {"vg_name":"rptvg3", "pv_count":"1", "lv_count":"0", "snap_count":"0", "vg_attr":"wz--n-", "vg_size":"60.00m", "vg_free":"60.00m"}
              ]
          }
      ]
  }
"#,
    );
}

/// `pvs --reportformat json /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_json() {
    same(
        &pvs(&["--reportformat", "json"]),
        r#"  {
      "report": [
          {
              "pv": [
                  {"pv_name":"/dev/loop0", "vg_name":"rptvg1", "pv_fmt":"lvm2", "pv_attr":"a--", "pv_size":"96.00m", "pv_free":"28.00m"},
                  {"pv_name":"/dev/loop1", "vg_name":"rptvg1", "pv_fmt":"lvm2", "pv_attr":"a--", "pv_size":"248.00m", "pv_free":"0 "},
                  {"pv_name":"/dev/loop2", "vg_name":"", "pv_fmt":"lvm2", "pv_attr":"---", "pv_size":"1.00g", "pv_free":"1.00g"},
                  {"pv_name":"/dev/loop3", "vg_name":"rptvg2", "pv_fmt":"lvm2", "pv_attr":"a--", "pv_size":"<3.00g", "pv_free":"1023.00m"},
                  {"pv_name":"/dev/loop4", "vg_name":"", "pv_fmt":"lvm2", "pv_attr":"---", "pv_size":"<95.37m", "pv_free":"<95.37m"},
                  {"pv_name":"/dev/loop5", "vg_name":"rptvg3", "pv_fmt":"lvm2", "pv_attr":"a--", "pv_size":"60.00m", "pv_free":"60.00m"}
              ]
          }
      ]
  }
"#,
    );
}

/// `lvs --reportformat json --units b --nosuffix -o lv_name,lv_size,lv_tags rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_json_bytes_and_tags() {
    same(
        &lvs(&[
            "--reportformat",
            "json",
            "--units",
            "b",
            "--nosuffix",
            "-o",
            "lv_name,lv_size,lv_tags",
        ]),
        r#"  {
      "report": [
          {
              "lv": [
                  {"lv_name":"lv1", "lv_size":"20971520", "lv_tags":""},
                  {"lv_name":"lvro", "lv_size":"12582912", "lv_tags":"alpha,web"},
                  {"lv_name":"lvspan", "lv_size":"188743680", "lv_tags":""},
                  {"lv_name":"lvspan2", "lv_size":"96468992", "lv_tags":""},
                  {"lv_name":"snap1", "lv_size":"8388608", "lv_tags":""},
                  {"lv_name":"Small", "lv_size":"5242880", "lv_tags":""},
                  {"lv_name":"big", "lv_size":"2142240768", "lv_tags":""}
              ]
          }
      ]
  }
"#,
    );
}

/// `lvs --reportformat json rptvg3`
#[test]
fn lvs_json_empty() {
    same(
        &super::run_on(
            super::ReportKind::Lvs,
            &["--reportformat", "json"],
            &["rptvg3"],
        )
        .expect("report"),
        r#"  {
      "report": [
          {
              "lv": [
              ]
          }
      ]
  }
"#,
    );
}
