//! Generated from LVM2 2.03.16 runs; see the module comment in tests/mod.rs.

use super::{lvm2, lvs, pvs, same, vgs};

/// `lvs rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_default() {
    same(
        &lvs(&[]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---  20.00m                                                    
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

/// `lvs -a rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_all_shows_hidden_merging_snapshot() {
    same(
        &lvs(&["-a"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin  Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---  20.00m                                                     
  lvro    rptvg1 -rc-XX---k  12.00m                                                     
  lvspan  rptvg1 -wi-XX---- 180.00m                                                     
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                     
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                            
  [snapm] rptvg1 Swi-XXs---   4.00m      lvspan2                                        
  Small   rptvg2 -wi-XX----   5.00m                                                     
  big     rptvg2 -wi-XX----  <2.00g                                                     
"#,
        ),
    );
}

/// `vgs rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_default() {
    same(
        &vgs(&[]),
        r#"  VG     #PV #LV #SN Attr   VSize   VFree   
  rptvg1   2   5   2 wz--n- 344.00m   28.00m
  rptvg2   1   2   0 wz--n-  <3.00g 1023.00m
  rptvg3   1   0   0 wz--n-  60.00m   60.00m
"#,
    );
}

/// `pvs /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_default() {
    same(
        &pvs(&[]),
        r#"  PV         VG     Fmt  Attr PSize   PFree   
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0 
  /dev/loop2        lvm2 ---    1.00g    1.00g
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m
  /dev/loop4        lvm2 ---  <95.37m  <95.37m
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m
"#,
    );
}

/// `lvs -v rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_verbose() {
    same(
        &lvs(&["-v"]),
        &lvm2(
            r#"  LV      VG     #Seg Attr       LSize   Maj Min KMaj KMin Pool Origin Data%  Meta%  Move Cpy%Sync Log Convert LV UUID                                LProfile
  lv1     rptvg1    1 owi-XXs---  20.00m  -1  -1   -1   -1                                                     rY9oNd-O8Qs-oiBD-aX87-MSm0-7HA5-stwncN         
  lvro    rptvg1    1 -rc-XX---k  12.00m  -1  -1   -1   -1                                                     g2N28b-4ZtT-3Gio-Vfq5-3Yfm-BSjM-SOTZUm         
  lvspan  rptvg1    1 -wi-XX---- 180.00m  -1  -1   -1   -1                                                     AAoUr2-cTEM-TcPI-MHT2-8ZqW-PSWJ-80ePgx         
  lvspan2 rptvg1    2 Owi-XXs---  92.00m  -1  -1   -1   -1                                                     er3Mnz-uaGR-mcnk-yscD-s0bE-2Tlx-nrQX78         
  snap1   rptvg1    1 swi-XXs---   8.00m  -1  -1   -1   -1      lv1                                            Sn4pAA-1111-2222-3333-4444-5555-666666         
  Small   rptvg2    1 -wi-XX----   5.00m  -1  -1   -1   -1                                                     MjeP9X-3m7t-CEQD-cq8u-NTMY-kTUN-ScsxXI         
  big     rptvg2    1 -wi-XX----  <2.00g  -1  -1   -1   -1                                                     rYKfyA-TDW0-xfTK-5AEB-qfUu-Y2SG-Fq6Fkc         
"#,
        ),
    );
}

/// `vgs -v rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_verbose() {
    same(
        &vgs(&["-v"]),
        r#"  VG     Attr   Ext   #PV #LV #SN VSize   VFree    VG UUID                                VProfile
  rptvg1 wz--n- 4.00m   2   5   2 344.00m   28.00m iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy         
  rptvg2 wz--n- 1.00m   1   2   0  <3.00g 1023.00m 3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn         
  rptvg3 wz--n- 4.00m   1   0   0  60.00m   60.00m U4eYEt-oZIZ-1oEa-4vJX-lwYy-nDtW-aXsDDx         
"#,
    );
}

/// `pvs -v /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_verbose() {
    same(
        &pvs(&["-v"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree    DevSize PV UUID                               
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m 100.00m eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0  250.00m wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr
  /dev/loop2        lvm2 ---    1.00g    1.00g   1.00g lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m   3.00g mz4fmj-vJqD-C0x8-8KqR-eJjG-lPTz-0vVcvm
  /dev/loop4        lvm2 ---  <95.37m  <95.37m <95.37m CU27RH-RBhF-rWfQ-0ddD-Zcnf-b68b-UQ8cvl
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m  64.00m 0VDUAN-uIxY-Cb0v-1ZQa-NkhQ-C0ke-3sOAYI
"#,
    );
}

/// `lvs --nosuffix rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_nosuffix_keeps_human_suffix() {
    same(
        &lvs(&["--nosuffix"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---  20.00m                                                    
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

/// `lvs --separator : rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_separator() {
    same(
        &lvs(&["--separator", ":"]),
        &lvm2(
            r#"  LV:VG:Attr:LSize:Pool:Origin:Data%:Meta%:Move:Log:Cpy%Sync:Convert
  lv1:rptvg1:owi-XXs---:20.00m::::::::
  lvro:rptvg1:-rc-XX---k:12.00m::::::::
  lvspan:rptvg1:-wi-XX----:180.00m::::::::
  lvspan2:rptvg1:Owi-XXs---:92.00m::::::::
  snap1:rptvg1:swi-XXs---:8.00m::lv1::::::
  Small:rptvg2:-wi-XX----:5.00m::::::::
  big:rptvg2:-wi-XX----:<2.00g::::::::
"#,
        ),
    );
}

/// `lvs --separator : --aligned rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_separator_aligned() {
    same(
        &lvs(&["--separator", ":", "--aligned"]),
        &lvm2(
            r#"  LV     :VG    :Attr      :LSize  :Pool:Origin:Data% :Meta% :Move:Log:Cpy%Sync:Convert
  lv1    :rptvg1:owi-XXs---: 20.00m:    :      :      :      :    :   :        :       
  lvro   :rptvg1:-rc-XX---k: 12.00m:    :      :      :      :    :   :        :       
  lvspan :rptvg1:-wi-XX----:180.00m:    :      :      :      :    :   :        :       
  lvspan2:rptvg1:Owi-XXs---: 92.00m:    :      :      :      :    :   :        :       
  snap1  :rptvg1:swi-XXs---:  8.00m:    :lv1   :      :      :    :   :        :       
  Small  :rptvg2:-wi-XX----:  5.00m:    :      :      :      :    :   :        :       
  big    :rptvg2:-wi-XX----: <2.00g:    :      :      :      :    :   :        :       
"#,
        ),
    );
}

/// `lvs --noheadings rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_noheadings() {
    same(
        &lvs(&["--noheadings"]),
        &lvm2(
            r#"  lv1     rptvg1 owi-XXs---  20.00m                                                    
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

/// `lvs --noheadings --separator , -o lv_name,vg_name,lv_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_noheadings_separator() {
    same(
        &lvs(&[
            "--noheadings",
            "--separator",
            ",",
            "-o",
            "lv_name,vg_name,lv_size",
        ]),
        r#"  lv1,rptvg1,20.00m
  lvro,rptvg1,12.00m
  lvspan,rptvg1,180.00m
  lvspan2,rptvg1,92.00m
  snap1,rptvg1,8.00m
  Small,rptvg2,5.00m
  big,rptvg2,<2.00g
"#,
    );
}

/// `vgs --noheadings -o vg_name,vg_free --units m --nosuffix rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_noheadings_nosuffix() {
    same(
        &vgs(&[
            "--noheadings",
            "-o",
            "vg_name,vg_free",
            "--units",
            "m",
            "--nosuffix",
        ]),
        r#"  rptvg1   28.00
  rptvg2 1023.00
  rptvg3   60.00
"#,
    );
}

/// `lvs rptvg3`
#[test]
fn lvs_empty_vg_prints_nothing() {
    same(
        &super::run_on(super::ReportKind::Lvs, &[], &["rptvg3"]).expect("report"),
        r#""#,
    );
}

/// `lvs --noheadings --nosuffix --units m -o lv_size,lv_name rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_nosuffix_size_first() {
    same(
        &lvs(&[
            "--noheadings",
            "--nosuffix",
            "--units",
            "m",
            "-o",
            "lv_size,lv_name",
        ]),
        r#"    20.00 lv1    
    12.00 lvro   
   180.00 lvspan 
    92.00 lvspan2
     8.00 snap1  
     5.00 Small  
  2043.00 big    
"#,
    );
}

/// `lvs -o lv_name -o +lv_size -o +vg_name rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_options_appended_in_groups() {
    same(
        &lvs(&["-o", "lv_name", "-o", "+lv_size", "-o", "+vg_name"]),
        r#"  LV      LSize   VG    
  lv1      20.00m rptvg1
  lvro     12.00m rptvg1
  lvspan  180.00m rptvg1
  lvspan2  92.00m rptvg1
  snap1     8.00m rptvg1
  Small     5.00m rptvg2
  big      <2.00g rptvg2
"#,
    );
}

/// `lvs -o lv_name,lv_size -o-lv_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_options_removed_in_later_group() {
    same(
        &lvs(&["-o", "lv_name,lv_size", "-o-lv_size"]),
        r#"  LV     
  lv1    
  lvro   
  lvspan 
  lvspan2
  snap1  
  Small  
  big    
"#,
    );
}

/// `lvs --aligned --separator | --noheadings rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_aligned_pipe_separator() {
    same(
        &lvs(&["--aligned", "--separator", "|", "--noheadings"]),
        &lvm2(
            r#"  lv1    |rptvg1|owi-XXs---| 20.00m|    |      |      |      |    |   |        |       
  lvro   |rptvg1|-rc-XX---k| 12.00m|    |      |      |      |    |   |        |       
  lvspan |rptvg1|-wi-XX----|180.00m|    |      |      |      |    |   |        |       
  lvspan2|rptvg1|Owi-XXs---| 92.00m|    |      |      |      |    |   |        |       
  snap1  |rptvg1|swi-XXs---|  8.00m|    |lv1   |      |      |    |   |        |       
  Small  |rptvg2|-wi-XX----|  5.00m|    |      |      |      |    |   |        |       
  big    |rptvg2|-wi-XX----| <2.00g|    |      |      |      |    |   |        |       
"#,
        ),
    );
}

/// `lvs -o lv_name,lv_size --units 3m rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_custom_unit_multiple() {
    same(
        &lvs(&["-o", "lv_name,lv_size", "--units", "3m"]),
        r#"  LV      LSize  
  lv1       6.67U
  lvro      4.00U
  lvspan   60.00U
  lvspan2  30.67U
  snap1     2.67U
  Small     1.67U
  big     681.00U
"#,
    );
}
