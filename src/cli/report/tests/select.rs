//! Generated from LVM2 2.03.16 runs; see the module comment in tests/mod.rs.

use super::{lvm2, lvs, pvs, same, vgs};

/// `lvs -S 'lv_size > 10m' rptvg1 rptvg2 rptvg3`
#[test]
fn select_size_greater() {
    same(
        &lvs(&["-S", "lv_size > 10m"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---  20.00m                                                    
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  big     rptvg2 -wi-XX----  <2.00g                                                    
"#,
        ),
    );
}

/// `lvs -S 'lv_name=~^lv' rptvg1 rptvg2 rptvg3`
#[test]
fn select_regex() {
    same(
        &lvs(&["-S", "lv_name=~^lv"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---  20.00m                                                    
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
"#,
        ),
    );
}

/// `lvs -S vg_name=rptvg2 rptvg1 rptvg2 rptvg3`
#[test]
fn select_vg_name() {
    same(
        &lvs(&["-S", "vg_name=rptvg2"]),
        &lvm2(
            r#"  LV    VG     Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  Small rptvg2 -wi-XX----  5.00m                                                    
  big   rptvg2 -wi-XX---- <2.00g                                                    
"#,
        ),
    );
}

/// `lvs -S lv_tags=web rptvg1 rptvg2 rptvg3`
#[test]
fn select_tag() {
    same(
        &lvs(&["-S", "lv_tags=web"]),
        &lvm2(
            r#"  LV   VG     Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lvro rptvg1 -rc-XX---k 12.00m                                                    
"#,
        ),
    );
}

/// `lvs -S 'lv_attr=~^s || lv_name=big' rptvg1 rptvg2 rptvg3`
#[test]
fn select_or() {
    same(
        &lvs(&["-S", "lv_attr=~^s || lv_name=big"]),
        &lvm2(
            r#"  LV    VG     Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  snap1 rptvg1 swi-XXs---  8.00m      lv1                                           
  big   rptvg2 -wi-XX---- <2.00g                                                    
"#,
        ),
    );
}

/// `lvs -S origin=lv1 rptvg1 rptvg2 rptvg3`
#[test]
fn select_origin() {
    same(
        &lvs(&["-S", "origin=lv1"]),
        &lvm2(
            r#"  LV    VG     Attr       LSize Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  snap1 rptvg1 swi-XXs--- 8.00m      lv1                                           
"#,
        ),
    );
}

/// `lvs -S 'lv_size>=20m && lv_size<100m' rptvg1 rptvg2 rptvg3`
#[test]
fn select_and() {
    same(
        &lvs(&["-S", "lv_size>=20m && lv_size<100m"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs--- 20.00m                                                    
  lvspan2 rptvg1 Owi-XXs--- 92.00m                                                    
"#,
        ),
    );
}

/// `lvs -S '!(lv_name=lv1)' rptvg1 rptvg2 rptvg3`
#[test]
fn select_not() {
    same(
        &lvs(&["-S", "!(lv_name=lv1)"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                           
  Small   rptvg2 -wi-XX----   5.00m                                                    
  big     rptvg2 -wi-XX----  <2.00g                                                    
"#,
        ),
    );
}

/// `lvs -S 'lv_name!=lv1' rptvg1 rptvg2 rptvg3`
#[test]
fn select_not_equal() {
    same(
        &lvs(&["-S", "lv_name!=lv1"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                           
  Small   rptvg2 -wi-XX----   5.00m                                                    
  big     rptvg2 -wi-XX----  <2.00g                                                    
"#,
        ),
    );
}

/// `vgs -S 'vg_free > 100m' rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_select_free() {
    same(
        &vgs(&["-S", "vg_free > 100m"]),
        r#"  VG     #PV #LV #SN Attr   VSize  VFree   
  rptvg2   1   2   0 wz--n- <3.00g 1023.00m
"#,
    );
}

/// `vgs -S lv_count=0 rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_select_lv_count() {
    same(
        &vgs(&["-S", "lv_count=0"]),
        r#"  VG     #PV #LV #SN Attr   VSize  VFree 
  rptvg3   1   0   0 wz--n- 60.00m 60.00m
"#,
    );
}

/// `pvs -S 'vg_name=""' /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_select_orphans() {
    same(
        &pvs(&["-S", "vg_name=\"\""]),
        r#"  PV         VG Fmt  Attr PSize   PFree  
  /dev/loop2    lvm2 ---    1.00g   1.00g
  /dev/loop4    lvm2 ---  <95.37m <95.37m
"#,
    );
}

/// Times are local; LVM2 printed these in UTC, so they hold where the zone is UTC and the
/// expected rows are computed from the fixture's timestamps elsewhere.
fn names(sel: &str, vgs: &[&str]) -> String {
    super::run_on(super::ReportKind::Lvs, &["-o", "lv_name", "-S", sel], vgs).unwrap()
}

/// `lvs -S 'lv_time since "2026-11-21 22:49"' -o lv_name rptvg1 rptvg2`, and `=` (a whole
/// minute), `before` a second, `=` a whole day.
#[test]
fn select_times() {
    let utc = super::local_times("2026-11-21 22:49:01 +0000") == "2026-11-21 22:49:01 +0000";
    if !utc {
        // Express the same instants in local time so the comparison stays meaningful.
        let mut at = String::new();
        crate::cli::report::time::write_time(&mut at, 1_795_301_340);
        let minute = &at[..16];
        same(
            &names(
                &format!("lv_time since \"{minute}\""),
                &["rptvg1", "rptvg2"],
            ),
            "  LV     \n  lvro   \n  lvspan2\n  snap1  \n  Small  \n  big    \n",
        );
        return;
    }
    same(
        &names("lv_time since \"2026-11-21 22:49\"", &["rptvg1", "rptvg2"]),
        "  LV     \n  lvro   \n  lvspan2\n  snap1  \n  Small  \n  big    \n",
    );
    same(
        &names("lv_time = \"2026-11-21 22:49\"", &["rptvg1", "rptvg2"]),
        "  LV     \n  lvro   \n  lvspan2\n  Small  \n  big    \n",
    );
    same(
        &names(
            "lv_time before \"2026-11-21 22:49:01\"",
            &["rptvg1", "rptvg2"],
        ),
        "  LV    \n  lv1   \n  lvspan\n",
    );
    same(
        &names("lv_time=2026-11-21", &["rptvg1"]),
        "  LV     \n  lv1    \n  lvro   \n  lvspan \n  lvspan2\n  snap1  \n",
    );
}
