//! The display commands against LVM2 2.03.16 (outputs of the commands quoted).

use super::same;
use crate::cli::report::display::{lvdisplay, DisplayArgs};

/// `lvdisplay rptvg1 rptvg2`
#[test]
fn lvdisplay_full() {
    let got = super::display(
        lvdisplay,
        &DisplayArgs::default(),
        &["rptvg1", "rptvg2"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Logical volume ---
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
   
  --- Logical volume ---
  LV Path                /dev/rptvg2/big
  LV Name                big
  VG Name                rptvg2
  LV UUID                rYKfyA-TDW0-xfTK-5AEB-qfUu-Y2SG-Fq6Fkc
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:49:01 +0000
  LV Status              NOT available
  LV Size                <2.00 GiB
  Current LE             2043
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
  --- Logical volume ---
  LV Path                /dev/rptvg2/Small
  LV Name                Small
  VG Name                rptvg2
  LV UUID                MjeP9X-3m7t-CEQD-cq8u-NTMY-kTUN-ScsxXI
  LV Write Access        read/write
  LV Creation host, time vm, 2026-11-21 22:49:01 +0000
  LV Status              NOT available
  LV Size                5.00 MiB
  Current LE             5
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
"#,
        ),
    );
}

/// `lvdisplay -m rptvg1`
#[test]
fn lvdisplay_maps() {
    let got = super::display(
        lvdisplay,
        &DisplayArgs {
            maps: true,
            ..Default::default()
        },
        &["rptvg1"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Logical volume ---
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
   
  --- Segments ---
  Logical extents 0 to 4:
    Type		linear
    Physical volume	/dev/loop0
    Physical extents	0 to 4
   
   
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
   
  --- Segments ---
  Logical extents 0 to 44:
    Type		linear
    Physical volume	/dev/loop1
    Physical extents	0 to 44
   
   
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
   
  --- Segments ---
  Logical extents 0 to 2:
    Type		linear
    Physical volume	/dev/loop0
    Physical extents	5 to 7
   
   
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
   
  --- Segments ---
  Logical extents 0 to 16:
    Type		linear
    Physical volume	/dev/loop1
    Physical extents	45 to 61
   
  Logical extents 17 to 22:
    Type		linear
    Physical volume	/dev/loop0
    Physical extents	8 to 13
   
   
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
   
  --- Segments ---
  Logical extents 0 to 1:
    Type		linear
    Physical volume	/dev/loop0
    Physical extents	14 to 15
   
   
"#,
        ),
    );
}

/// `lvdisplay -c rptvg1 rptvg2`
#[test]
fn lvdisplay_colon() {
    let got = super::display(
        lvdisplay,
        &DisplayArgs {
            colon: true,
            ..Default::default()
        },
        &["rptvg1", "rptvg2"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  /dev/rptvg1/lv1:rptvg1:3:0:-1:0:40960:5:-1:0:-1:-1:-1
  /dev/rptvg1/lvspan:rptvg1:3:0:-1:0:368640:45:-1:0:-1:-1:-1
  /dev/rptvg1/lvro:rptvg1:1:0:-1:0:24576:3:-1:2:-1:-1:-1
  /dev/rptvg1/lvspan2:rptvg1:3:0:-1:0:188416:23:-1:0:-1:-1:-1
  /dev/rptvg1/snap1:rptvg1:3:0:-1:0:16384:2:-1:0:-1:-1:-1
  /dev/rptvg2/big:rptvg2:3:0:-1:0:4184064:2043:-1:0:-1:-1:-1
  /dev/rptvg2/Small:rptvg2:3:0:-1:0:10240:5:-1:0:-1:-1:-1
"#,
        ),
    );
}

/// `lvdisplay -a rptvg1`
#[test]
fn lvdisplay_all_shows_internal() {
    let got = super::display(
        lvdisplay,
        &DisplayArgs {
            all: true,
            ..Default::default()
        },
        &["rptvg1"],
        &[],
    );
    same(
        &got,
        &super::local_times(
            r#"  --- Logical volume ---
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
   
  --- Logical volume ---
  Internal LV Name       snapm
  VG Name                rptvg1
  LV UUID                Sn4pCC-1111-2222-3333-4444-5555-666666
  LV Write Access        read/write
  LV Creation host, time otherhost, 2026-11-21 22:51:40 +0000
  LV snapshot status     INACTIVE destination for lvspan2
  LV Status              NOT available
  LV Size                92.00 MiB
  Current LE             23
  COW-table size         4.00 MiB
  COW-table LE           1
  Snapshot chunk size    128.00 KiB
  Segments               1
  Allocation             inherit
  Read ahead sectors     auto
   
"#,
        ),
    );
}
