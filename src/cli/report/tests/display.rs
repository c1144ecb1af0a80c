//! The display commands against LVM2 2.03.16 (outputs of the commands quoted).

use super::same;
use crate::cli::report::display::{pvdisplay, vgdisplay, DisplayArgs};

/// `pvdisplay /dev/loop0 /dev/loop2 /dev/loop1`
#[test]
fn pvdisplay_full() {
    let got = super::display(
        pvdisplay,
        &DisplayArgs::default(),
        &["rptvg1"],
        &["/dev/loop0", "/dev/loop2", "/dev/loop1"],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Physical volume ---
  PV Name               /dev/loop0
  VG Name               rptvg1
  PV Size               100.00 MiB / not usable 4.00 MiB
  Allocatable           yes 
  PE Size               4.00 MiB
  Total PE              24
  Free PE               7
  Allocated PE          17
  PV UUID               eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
   
  --- Physical volume ---
  PV Name               /dev/loop1
  VG Name               rptvg1
  PV Size               250.00 MiB / not usable 2.00 MiB
  Allocatable           yes (but full)
  PE Size               4.00 MiB
  Total PE              62
  Free PE               0
  Allocated PE          62
  PV UUID               wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr
   
  "/dev/loop2" is a new physical volume of "1.00 GiB"
  --- NEW Physical volume ---
  PV Name               /dev/loop2
  VG Name               
  PV Size               1.00 GiB
  Allocatable           NO
  PE Size               0   
  Total PE              0
  Free PE               0
  Allocated PE          0
  PV UUID               lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8
   
"#,
        ),
    );
}

/// `pvdisplay -m /dev/loop0 /dev/loop2 /dev/loop1`
#[test]
fn pvdisplay_maps() {
    let got = super::display(
        pvdisplay,
        &DisplayArgs {
            maps: true,
            ..Default::default()
        },
        &["rptvg1"],
        &["/dev/loop0", "/dev/loop2", "/dev/loop1"],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Physical volume ---
  PV Name               /dev/loop0
  VG Name               rptvg1
  PV Size               100.00 MiB / not usable 4.00 MiB
  Allocatable           yes 
  PE Size               4.00 MiB
  Total PE              24
  Free PE               7
  Allocated PE          17
  PV UUID               eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
   
  --- Physical Segments ---
  Physical extent 0 to 4:
    Logical volume	/dev/rptvg1/lv1
    Logical extents	0 to 4
  Physical extent 5 to 7:
    Logical volume	/dev/rptvg1/lvro
    Logical extents	0 to 2
  Physical extent 8 to 13:
    Logical volume	/dev/rptvg1/lvspan2
    Logical extents	17 to 22
  Physical extent 14 to 15:
    Logical volume	/dev/rptvg1/snap1
    Logical extents	0 to 1
  Physical extent 16 to 16:
    Logical volume	/dev/rptvg1/snapm
    Logical extents	0 to 0
  Physical extent 17 to 23:
    FREE
   
  --- Physical volume ---
  PV Name               /dev/loop1
  VG Name               rptvg1
  PV Size               250.00 MiB / not usable 2.00 MiB
  Allocatable           yes (but full)
  PE Size               4.00 MiB
  Total PE              62
  Free PE               0
  Allocated PE          62
  PV UUID               wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr
   
  --- Physical Segments ---
  Physical extent 0 to 44:
    Logical volume	/dev/rptvg1/lvspan
    Logical extents	0 to 44
  Physical extent 45 to 61:
    Logical volume	/dev/rptvg1/lvspan2
    Logical extents	0 to 16
   
  "/dev/loop2" is a new physical volume of "1.00 GiB"
  --- NEW Physical volume ---
  PV Name               /dev/loop2
  VG Name               
  PV Size               1.00 GiB
  Allocatable           NO
  PE Size               0   
  Total PE              0
  Free PE               0
  Allocated PE          0
  PV UUID               lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8
   
   
"#,
        ),
    );
}

/// `pvdisplay -c /dev/loop0 /dev/loop2 /dev/loop1`
#[test]
fn pvdisplay_colon() {
    let got = super::display(
        pvdisplay,
        &DisplayArgs {
            colon: true,
            ..Default::default()
        },
        &["rptvg1"],
        &["/dev/loop0", "/dev/loop2", "/dev/loop1"],
    );
    same(
        &got,
        &super::local_times(
            r#"  /dev/loop0:rptvg1:204800:-1:8:8:-1:4096:24:7:17:eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
  /dev/loop1:rptvg1:512000:-1:8:8:-1:4096:62:0:62:wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr
  "/dev/loop2" is a new physical volume of "1.00 GiB"
  /dev/loop2::2097152:-1:0:0:-1:0:0:0:0:lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8
"#,
        ),
    );
}

/// `pvdisplay --units b /dev/loop0`
#[test]
fn pvdisplay_units_b() {
    let got = super::display(
        pvdisplay,
        &DisplayArgs {
            units: Some("b".into()),
            ..Default::default()
        },
        &["rptvg1"],
        &["/dev/loop0"],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Physical volume ---
  PV Name               /dev/loop0
  VG Name               rptvg1
  PV Size               104857600 B  / not usable 4194304 B 
  Allocatable           yes 
  PE Size               4194304 B 
  Total PE              24
  Free PE               7
  Allocated PE          17
  PV UUID               eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
   
"#,
        ),
    );
}

/// `vgdisplay rptvg1 rptvg2 rptvg3`
#[test]
fn vgdisplay_full() {
    let got = super::display(
        vgdisplay,
        &DisplayArgs::default(),
        &["rptvg1", "rptvg2", "rptvg3"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Volume group ---
  VG Name               rptvg1
  System ID             
  Format                lvm2
  Metadata Areas        2
  Metadata Sequence No  7
  VG Access             read/write
  VG Status             resizable
  MAX LV                0
  Cur LV                5
  Open LV               0
  Max PV                0
  Cur PV                2
  Act PV                2
  VG Size               344.00 MiB
  PE Size               4.00 MiB
  Total PE              86
  Alloc PE / Size       79 / 316.00 MiB
  Free  PE / Size       7 / 28.00 MiB
  VG UUID               iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy
   
  --- Volume group ---
  VG Name               rptvg2
  System ID             
  Format                lvm2
  Metadata Areas        1
  Metadata Sequence No  4
  VG Access             read/write
  VG Status             resizable
  MAX LV                0
  Cur LV                2
  Open LV               0
  Max PV                0
  Cur PV                1
  Act PV                1
  VG Size               <3.00 GiB
  PE Size               1.00 MiB
  Total PE              3071
  Alloc PE / Size       2048 / 2.00 GiB
  Free  PE / Size       1023 / 1023.00 MiB
  VG UUID               3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn
   
  --- Volume group ---
  VG Name               rptvg3
  System ID             
  Format                lvm2
  Metadata Areas        1
  Metadata Sequence No  1
  VG Access             read/write
  VG Status             resizable
  MAX LV                0
  Cur LV                0
  Open LV               0
  Max PV                0
  Cur PV                1
  Act PV                1
  VG Size               60.00 MiB
  PE Size               4.00 MiB
  Total PE              15
  Alloc PE / Size       0 / 0   
  Free  PE / Size       15 / 60.00 MiB
  VG UUID               U4eYEt-oZIZ-1oEa-4vJX-lwYy-nDtW-aXsDDx
   
"#,
        )
        // LVM2 had one metadata area per PV here; rvm keeps two.
        .replace("Metadata Areas        2", "Metadata Areas        4")
        .replace("Metadata Areas        1", "Metadata Areas        2"),
    );
}

/// `vgdisplay -v rptvg1`
#[test]
fn vgdisplay_verbose() {
    let got = super::display(
        vgdisplay,
        &DisplayArgs {
            verbose: true,
            ..Default::default()
        },
        &["rptvg1"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Volume group ---
  VG Name               rptvg1
  System ID             
  Format                lvm2
  Metadata Areas        2
  Metadata Sequence No  7
  VG Access             read/write
  VG Status             resizable
  MAX LV                0
  Cur LV                5
  Open LV               0
  Max PV                0
  Cur PV                2
  Act PV                2
  VG Size               344.00 MiB
  PE Size               4.00 MiB
  Total PE              86
  Alloc PE / Size       79 / 316.00 MiB
  Free  PE / Size       7 / 28.00 MiB
  VG UUID               iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy
   
  --- Logical volume ---
  LV Path                /dev/rptvg1/lv1
  LV Name                lv1
  VG Name                rptvg1
  LV UUID                rY9oNd-O8Qs-oiBD-aX87-MSm0-7HA5-stwncN
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:47:54 +0000
  LV snapshot status     source of
                         snap1 [INACTIVE]
  LV Status              NOT available
  LV Size                20.00 MiB
  Current LE             5
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
  --- Logical volume ---
  LV Path                /dev/rptvg1/lvspan
  LV Name                lvspan
  VG Name                rptvg1
  LV UUID                AAoUr2-cTEM-TcPI-MHT2-8ZqW-PSWJ-80ePgx
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:48:55 +0000
  LV Status              NOT available
  LV Size                180.00 MiB
  Current LE             45
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
  --- Logical volume ---
  LV Path                /dev/rptvg1/lvro
  LV Name                lvro
  VG Name                rptvg1
  LV UUID                g2N28b-4ZtT-3Gio-Vfq5-3Yfm-BSjM-SOTZUm
  LV Write Access        read only
  LV Creation host, time vm, 2026-11-21 22:49:01 +0000
  LV Status              NOT available
  LV Size                12.00 MiB
  Current LE             3
  Segments               1
  Allocation             contiguous
  Read ahead sectors     auto
   
  --- Logical volume ---
  LV Path                /dev/rptvg1/lvspan2
  LV Name                lvspan2
  VG Name                rptvg1
  LV UUID                er3Mnz-uaGR-mcnk-yscD-s0bE-2Tlx-nrQX78
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:49:01 +0000
  LV snapshot status     source of
                         snapm [INACTIVE]
  LV Status              NOT available
  LV Size                92.00 MiB
  Current LE             23
  Segments               2
  Allocation             inherit
  Read ahead sectors     auto
   
  --- Logical volume ---
  LV Path                /dev/rptvg1/snap1
  LV Name                snap1
  VG Name                rptvg1
  LV UUID                Sn4pAA-1111-2222-3333-4444-5555-666666
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:50:00 +0000
  LV snapshot status     INACTIVE destination for lv1
  LV Status              NOT available
  LV Size                20.00 MiB
  Current LE             5
  COW-table size         8.00 MiB
  COW-table LE           2
  Snapshot chunk size    4.00 KiB
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
  --- Physical volumes ---
  PV Name               /dev/loop0     
  PV UUID               eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
  PV Status             allocatable
  Total PE / Free PE    24 / 7
   
  PV Name               /dev/loop1     
  PV UUID               wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr
  PV Status             allocatable
  Total PE / Free PE    62 / 0
   
"#,
        )
        // LVM2 had one metadata area per PV here; rvm keeps two.
        .replace("Metadata Areas        2", "Metadata Areas        4")
        .replace("Metadata Areas        1", "Metadata Areas        2"),
    );
}

/// `vgdisplay -c rptvg1 rptvg2 rptvg3`
#[test]
fn vgdisplay_colon() {
    let got = super::display(
        vgdisplay,
        &DisplayArgs {
            colon: true,
            ..Default::default()
        },
        &["rptvg1", "rptvg2", "rptvg3"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  rptvg1:r/w:772:-1:0:5:0:-1:0:2:2:352256:4096:86:79:7:iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy
  rptvg2:r/w:772:-1:0:2:0:-1:0:1:1:3144704:1024:3071:2048:1023:3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn
  rptvg3:r/w:772:-1:0:0:0:-1:0:1:1:61440:4096:15:0:15:U4eYEt-oZIZ-1oEa-4vJX-lwYy-nDtW-aXsDDx
"#,
        ),
    );
}

/// `vgdisplay -s rptvg1 rptvg2`
#[test]
fn vgdisplay_short() {
    let got = super::display(
        vgdisplay,
        &DisplayArgs {
            short: true,
            ..Default::default()
        },
        &["rptvg1", "rptvg2"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  "rptvg1" 344.00 MiB [316.00 MiB used / 28.00 MiB free]
  "rptvg2" <3.00 GiB [2.00 GiB  used / 1023.00 MiB free]
"#,
        ),
    );
}

/// `vgdisplay --units m rptvg2`
#[test]
fn vgdisplay_units_m() {
    let got = super::display(
        vgdisplay,
        &DisplayArgs {
            units: Some("m".into()),
            ..Default::default()
        },
        &["rptvg2"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Volume group ---
  VG Name               rptvg2
  System ID             
  Format                lvm2
  Metadata Areas        1
  Metadata Sequence No  4
  VG Access             read/write
  VG Status             resizable
  MAX LV                0
  Cur LV                2
  Open LV               0
  Max PV                0
  Cur PV                1
  Act PV                1
  VG Size               3071.00 MiB
  PE Size               1.00 MiB
  Total PE              3071
  Alloc PE / Size       2048 / 2048.00 MiB
  Free  PE / Size       1023 / 1023.00 MiB
  VG UUID               3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn
   
"#,
        )
        // LVM2 had one metadata area per PV here; rvm keeps two.
        .replace("Metadata Areas        2", "Metadata Areas        4")
        .replace("Metadata Areas        1", "Metadata Areas        2"),
    );
}
