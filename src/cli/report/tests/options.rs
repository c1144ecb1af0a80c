//! Generated from LVM2 2.03.16 runs; see the module comment in tests/mod.rs.

use super::{lvm2, lvs, pvs, same, vgs, ReportKind};

/// `vgs -o vg_name,lv_name,lv_attr rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_with_lv_fields_lists_lvs() {
    same(
        &vgs(&["-o", "vg_name,lv_name,lv_attr"]),
        &lvm2(
            r#"  VG     LV      Attr      
  rptvg1 lv1     owi-XXs---
  rptvg1 lvspan  -wi-XX----
  rptvg1 lvro    -rc-XX---k
  rptvg1 lvspan2 Owi-XXs---
  rptvg1 snap1   swi-XXs---
  rptvg2 big     -wi-XX----
  rptvg2 Small   -wi-XX----
"#,
        ),
    );
}

/// `vgs -o lv_attr rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_lv_attr_only() {
    same(
        &vgs(&["-o", "lv_attr"]),
        &lvm2(
            r#"  Attr      
  owi-XXs---
  -wi-XX----
  -rc-XX---k
  Owi-XXs---
  swi-XXs---
  -wi-XX----
  -wi-XX----
"#,
        ),
    );
}

/// `vgs -o +lv_name rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_plus_lv_name() {
    same(
        &vgs(&["-o", "+lv_name"]),
        r#"  VG     #PV #LV #SN Attr   VSize   VFree    LV     
  rptvg1   2   5   2 wz--n- 344.00m   28.00m lv1    
  rptvg1   2   5   2 wz--n- 344.00m   28.00m lvspan 
  rptvg1   2   5   2 wz--n- 344.00m   28.00m lvro   
  rptvg1   2   5   2 wz--n- 344.00m   28.00m lvspan2
  rptvg1   2   5   2 wz--n- 344.00m   28.00m snap1  
  rptvg2   1   2   0 wz--n-  <3.00g 1023.00m big    
  rptvg2   1   2   0 wz--n-  <3.00g 1023.00m Small  
"#,
    );
}

/// `pvs -o +lv_name /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_plus_lv_name_lists_pv_segments() {
    same(
        &pvs(&["-o", "+lv_name"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree    LV     
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m lv1    
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m lvro   
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m lvspan2
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m snap1  
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m [snapm]
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m        
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0  lvspan 
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0  lvspan2
  /dev/loop2        lvm2 ---    1.00g    1.00g        
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m big    
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m Small  
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m        
  /dev/loop4        lvm2 ---  <95.37m  <95.37m        
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m        
"#,
    );
}

/// `pvs -o pv_name,vg_name,lv_name,seg_pe_ranges,pvseg_start,pvseg_size /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_with_segment_fields() {
    same(
        &pvs(&[
            "-o",
            "pv_name,vg_name,lv_name,seg_pe_ranges,pvseg_start,pvseg_size",
        ]),
        r#"  PV         VG     LV      PE Ranges            Start SSize
  /dev/loop0 rptvg1 lv1     /dev/loop0:0-4           0     5
  /dev/loop0 rptvg1 lvro    /dev/loop0:5-7           5     3
  /dev/loop0 rptvg1 lvspan2 /dev/loop0:8-13          8     6
  /dev/loop0 rptvg1 snap1   /dev/loop0:14-15        14     2
  /dev/loop0 rptvg1 [snapm] /dev/loop0:16-16        16     1
  /dev/loop0 rptvg1                                 17     7
  /dev/loop1 rptvg1 lvspan  /dev/loop1:0-44          0    45
  /dev/loop1 rptvg1 lvspan2 /dev/loop1:45-61        45    17
  /dev/loop2                                         0     0
  /dev/loop3 rptvg2 big     /dev/loop3:0-2042        0  2043
  /dev/loop3 rptvg2 Small   /dev/loop3:2043-2047  2043     5
  /dev/loop3 rptvg2                               2048  1023
  /dev/loop4                                         0     0
  /dev/loop5 rptvg3                                  0    15
"#,
    );
}

/// `pvs --segments /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_segments() {
    same(
        &pvs(&["--segments"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree    Start SSize
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     0     5
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     5     3
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     8     6
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    14     2
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    16     1
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    17     7
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0      0    45
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0     45    17
  /dev/loop2        lvm2 ---    1.00g    1.00g     0     0
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m     0  2043
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m  2043     5
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m  2048  1023
  /dev/loop4        lvm2 ---  <95.37m  <95.37m     0     0
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m     0    15
"#,
    );
}

/// `pvs --segments -v /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_segments_verbose() {
    same(
        &pvs(&["--segments", "-v"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree    Start SSize LV      Start Type   PE Ranges           
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     0     5 lv1         0 linear /dev/loop0:0-4      
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     5     3 lvro        0 linear /dev/loop0:5-7      
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m     8     6 lvspan2    17 linear /dev/loop0:8-13     
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    14     2 snap1       0 linear /dev/loop0:14-15    
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    16     1 [snapm]     0 linear /dev/loop0:16-16    
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m    17     7             0 free                       
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0      0    45 lvspan      0 linear /dev/loop1:0-44     
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0     45    17 lvspan2     0 linear /dev/loop1:45-61    
  /dev/loop2        lvm2 ---    1.00g    1.00g     0     0             0 free                       
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m     0  2043 big         0 linear /dev/loop3:0-2042   
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m  2043     5 Small       0 linear /dev/loop3:2043-2047
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m  2048  1023             0 free                       
  /dev/loop4        lvm2 ---  <95.37m  <95.37m     0     0             0 free                       
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m     0    15             0 free                       
"#,
    );
}

/// `lvs --segments rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_segments() {
    same(
        &lvs(&["--segments"]),
        &lvm2(
            r#"  LV      VG     Attr       #Str Type   SSize  
  lv1     rptvg1 owi-XXs---    1 linear  20.00m
  lvro    rptvg1 -rc-XX---k    1 linear  12.00m
  lvspan  rptvg1 -wi-XX----    1 linear 180.00m
  lvspan2 rptvg1 Owi-XXs---    1 linear  68.00m
  lvspan2 rptvg1 Owi-XXs---    1 linear  24.00m
  snap1   rptvg1 swi-XXs---    1 linear   8.00m
  Small   rptvg2 -wi-XX----    1 linear   5.00m
  big     rptvg2 -wi-XX----    1 linear  <2.00g
"#,
        ),
    );
}

/// `lvs --segments -v -a rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_segments_verbose_all() {
    same(
        &lvs(&["--segments", "-v", "-a"]),
        &lvm2(
            r#"  LV      VG     Attr       Start  SSize   #Str Type   Stripe Chunk  
  lv1     rptvg1 owi-XXs---     0   20.00m    1 linear     0       0 
  lvro    rptvg1 -rc-XX---k     0   12.00m    1 linear     0       0 
  lvspan  rptvg1 -wi-XX----     0  180.00m    1 linear     0       0 
  lvspan2 rptvg1 Owi-XXs---     0   68.00m    1 linear     0       0 
  lvspan2 rptvg1 Owi-XXs--- 68.00m  24.00m    1 linear     0       0 
  snap1   rptvg1 swi-XXs---     0    8.00m    1 linear     0    4.00k
  [snapm] rptvg1 Swi-XXs---     0    4.00m    1 linear     0  128.00k
  Small   rptvg2 -wi-XX----     0    5.00m    1 linear     0       0 
  big     rptvg2 -wi-XX----     0   <2.00g    1 linear     0       0 
"#,
        ),
    );
}

/// `lvs -a -o +devices,seg_pe_ranges rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_devices_and_pe_ranges() {
    same(
        &lvs(&["-a", "-o", "+devices,seg_pe_ranges"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin  Data%  Meta%  Move Log Cpy%Sync Convert Devices          PE Ranges           
  lv1     rptvg1 owi-XXs---  20.00m                                                      /dev/loop0(0)    /dev/loop0:0-4      
  lvro    rptvg1 -rc-XX---k  12.00m                                                      /dev/loop0(5)    /dev/loop0:5-7      
  lvspan  rptvg1 -wi-XX---- 180.00m                                                      /dev/loop1(0)    /dev/loop1:0-44     
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                      /dev/loop1(45)   /dev/loop1:45-61    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                      /dev/loop0(8)    /dev/loop0:8-13     
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                             /dev/loop0(14)   /dev/loop0:14-15    
  [snapm] rptvg1 Swi-XXs---   4.00m      lvspan2                                         /dev/loop0(16)   /dev/loop0:16-16    
  Small   rptvg2 -wi-XX----   5.00m                                                      /dev/loop3(2043) /dev/loop3:2043-2047
  big     rptvg2 -wi-XX----  <2.00g                                                      /dev/loop3(0)    /dev/loop3:0-2042   
"#,
        ),
    );
}

/// `lvs -a -o lv_name,seg_count,segtype,seg_start,seg_size,seg_start_pe,seg_size_pe,devices,seg_le_ranges,chunk_size,stripes rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_segment_fields() {
    same(&lvs(&["-a", "-o", "lv_name,seg_count,segtype,seg_start,seg_size,seg_start_pe,seg_size_pe,devices,seg_le_ranges,chunk_size,stripes"]), r#"  LV      #Seg Type   Start  SSize   Start SSize Devices          LE Ranges            Chunk   #Str
  lv1        1 linear     0   20.00m     0     5 /dev/loop0(0)    /dev/loop0:0-4            0     1
  lvro       1 linear     0   12.00m     0     3 /dev/loop0(5)    /dev/loop0:5-7            0     1
  lvspan     1 linear     0  180.00m     0    45 /dev/loop1(0)    /dev/loop1:0-44           0     1
  lvspan2    2 linear     0   68.00m     0    17 /dev/loop1(45)   /dev/loop1:45-61          0     1
  lvspan2    2 linear 68.00m  24.00m    17     6 /dev/loop0(8)    /dev/loop0:8-13           0     1
  snap1      1 linear     0    8.00m     0     2 /dev/loop0(14)   /dev/loop0:14-15       4.00k    1
  [snapm]    1 linear     0    4.00m     0     1 /dev/loop0(16)   /dev/loop0:16-16     128.00k    1
  Small      1 linear     0    5.00m     0     5 /dev/loop3(2043) /dev/loop3:2043-2047      0     1
  big        1 linear     0   <2.00g     0  2043 /dev/loop3(0)    /dev/loop3:0-2042         0     1
"#);
}

/// `lvs -O -lv_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_sort_size_descending() {
    same(
        &lvs(&["-O", "-lv_size"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  big     rptvg2 -wi-XX----  <2.00g                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  lv1     rptvg1 owi-XXs---  20.00m                                                    
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                           
  Small   rptvg2 -wi-XX----   5.00m                                                    
"#,
        ),
    );
}

/// `lvs -O vg_name,-lv_name rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_sort_vg_then_name_descending() {
    same(
        &lvs(&["-O", "vg_name,-lv_name"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                           
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lv1     rptvg1 owi-XXs---  20.00m                                                    
  big     rptvg2 -wi-XX----  <2.00g                                                    
  Small   rptvg2 -wi-XX----   5.00m                                                    
"#,
        ),
    );
}

/// `lvs -O lv_size,lv_name rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_sort_size_then_name() {
    same(
        &lvs(&["-O", "lv_size,lv_name"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  Small   rptvg2 -wi-XX----   5.00m                                                    
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                           
  lvro    rptvg1 -rc-XX---k  12.00m                                                    
  lv1     rptvg1 owi-XXs---  20.00m                                                    
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                    
  lvspan  rptvg1 -wi-XX---- 180.00m                                                    
  big     rptvg2 -wi-XX----  <2.00g                                                    
"#,
        ),
    );
}

/// `vgs -O -vg_free rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_sort_free_descending() {
    same(
        &vgs(&["-O", "-vg_free"]),
        r#"  VG     #PV #LV #SN Attr   VSize   VFree   
  rptvg2   1   2   0 wz--n-  <3.00g 1023.00m
  rptvg3   1   0   0 wz--n-  60.00m   60.00m
  rptvg1   2   5   2 wz--n- 344.00m   28.00m
"#,
    );
}

/// `pvs -O -pv_free,pv_name /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_sort_free_descending() {
    same(
        &pvs(&["-O", "-pv_free,pv_name"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree   
  /dev/loop2        lvm2 ---    1.00g    1.00g
  /dev/loop3 rptvg2 lvm2 a--   <3.00g 1023.00m
  /dev/loop4        lvm2 ---  <95.37m  <95.37m
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0 
"#,
    );
}

/// `lvs --nameprefixes rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_nameprefixes() {
    same(
        &lvs(&["--nameprefixes"]),
        &lvm2(
            r#"  LV VG Attr LSize Pool Origin Data% Meta% Move Log Cpy%Sync Convert
  LVM2_LV_NAME='lv1' LVM2_VG_NAME='rptvg1' LVM2_LV_ATTR='owi-XXs---' LVM2_LV_SIZE='20.00m' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='lvro' LVM2_VG_NAME='rptvg1' LVM2_LV_ATTR='-rc-XX---k' LVM2_LV_SIZE='12.00m' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='lvspan' LVM2_VG_NAME='rptvg1' LVM2_LV_ATTR='-wi-XX----' LVM2_LV_SIZE='180.00m' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='lvspan2' LVM2_VG_NAME='rptvg1' LVM2_LV_ATTR='Owi-XXs---' LVM2_LV_SIZE='92.00m' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='snap1' LVM2_VG_NAME='rptvg1' LVM2_LV_ATTR='swi-XXs---' LVM2_LV_SIZE='8.00m' LVM2_POOL_LV='' LVM2_ORIGIN='lv1' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='Small' LVM2_VG_NAME='rptvg2' LVM2_LV_ATTR='-wi-XX----' LVM2_LV_SIZE='5.00m' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
  LVM2_LV_NAME='big' LVM2_VG_NAME='rptvg2' LVM2_LV_ATTR='-wi-XX----' LVM2_LV_SIZE='<2.00g' LVM2_POOL_LV='' LVM2_ORIGIN='' LVM2_DATA_PERCENT='' LVM2_METADATA_PERCENT='' LVM2_MOVE_PV='' LVM2_MIRROR_LOG='' LVM2_COPY_PERCENT='' LVM2_CONVERT_LV=''
"#,
        ),
    );
}

/// `lvs --nameprefixes --unquoted --noheadings rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_nameprefixes_unquoted() {
    same(
        &lvs(&["--nameprefixes", "--unquoted", "--noheadings"]),
        &lvm2(
            r#"  LVM2_LV_NAME=lv1 LVM2_VG_NAME=rptvg1 LVM2_LV_ATTR=owi-XXs--- LVM2_LV_SIZE=20.00m LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=lvro LVM2_VG_NAME=rptvg1 LVM2_LV_ATTR=-rc-XX---k LVM2_LV_SIZE=12.00m LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=lvspan LVM2_VG_NAME=rptvg1 LVM2_LV_ATTR=-wi-XX---- LVM2_LV_SIZE=180.00m LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=lvspan2 LVM2_VG_NAME=rptvg1 LVM2_LV_ATTR=Owi-XXs--- LVM2_LV_SIZE=92.00m LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=snap1 LVM2_VG_NAME=rptvg1 LVM2_LV_ATTR=swi-XXs--- LVM2_LV_SIZE=8.00m LVM2_POOL_LV= LVM2_ORIGIN=lv1 LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=Small LVM2_VG_NAME=rptvg2 LVM2_LV_ATTR=-wi-XX---- LVM2_LV_SIZE=5.00m LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
  LVM2_LV_NAME=big LVM2_VG_NAME=rptvg2 LVM2_LV_ATTR=-wi-XX---- LVM2_LV_SIZE=<2.00g LVM2_POOL_LV= LVM2_ORIGIN= LVM2_DATA_PERCENT= LVM2_METADATA_PERCENT= LVM2_MOVE_PV= LVM2_MIRROR_LOG= LVM2_COPY_PERCENT= LVM2_CONVERT_LV=
"#,
        ),
    );
}

/// `lvs --rows rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_rows() {
    same(
        &lvs(&["--rows"]),
        &lvm2(
            r#"  LV lv1 lvro lvspan lvspan2 snap1 Small big
  VG rptvg1 rptvg1 rptvg1 rptvg1 rptvg1 rptvg2 rptvg2
  Attr owi-XXs--- -rc-XX---k -wi-XX---- Owi-XXs--- swi-XXs--- -wi-XX---- -wi-XX----
  LSize 20.00m 12.00m 180.00m 92.00m 8.00m 5.00m <2.00g
  Pool       
  Origin     lv1  
  Data%       
  Meta%       
  Move       
  Log       
  Cpy%Sync       
  Convert       
"#,
        ),
    );
}

/// `lvs --rows --separator , rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_rows_separator() {
    same(
        &lvs(&["--rows", "--separator", ","]),
        &lvm2(
            r#"  LV,lv1,lvro,lvspan,lvspan2,snap1,Small,big
  VG,rptvg1,rptvg1,rptvg1,rptvg1,rptvg1,rptvg2,rptvg2
  Attr,owi-XXs---,-rc-XX---k,-wi-XX----,Owi-XXs---,swi-XXs---,-wi-XX----,-wi-XX----
  LSize,20.00m,12.00m,180.00m,92.00m,8.00m,5.00m,<2.00g
  Pool,,,,,,,
  Origin,,,,,lv1,,
  Data%,,,,,,,
  Meta%,,,,,,,
  Move,,,,,,,
  Log,,,,,,,
  Cpy%Sync,,,,,,,
  Convert,,,,,,,
"#,
        ),
    );
}

/// `vgs --rows rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_rows() {
    same(
        &vgs(&["--rows"]),
        r#"  VG rptvg1 rptvg2 rptvg3
  #PV 2 1 1
  #LV 5 2 0
  #SN 2 0 0
  Attr wz--n- wz--n- wz--n-
  VSize 344.00m <3.00g 60.00m
  VFree 28.00m 1023.00m 60.00m
"#,
    );
}

/// `lvs --binary -o lv_name,lv_merging,lv_skip_activation,lv_fixed_minor rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_binary() {
    same(
        &lvs(&[
            "--binary",
            "-o",
            "lv_name,lv_merging,lv_skip_activation,lv_fixed_minor",
        ]),
        r#"  LV      Merging    SkipAct         FixMin    
  lv1              0               0          0
  lvro             0               1          0
  lvspan           0               0          0
  lvspan2          1               0          0
  snap1            0               0          0
  Small            0               0          0
  big              0               0          0
"#,
    );
}

/// `lvs -a -o lv_name,lv_merging,lv_skip_activation,lv_fixed_minor,lv_allocation_policy,lv_permissions,lv_role,lv_layout rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_all_binary_words() {
    same(&lvs(&["-a", "-o", "lv_name,lv_merging,lv_skip_activation,lv_fixed_minor,lv_allocation_policy,lv_permissions,lv_role,lv_layout"]), r#"  LV      Merging    SkipAct         FixMin     AllocPol   LPerms    Role                          Layout    
  lv1                                           inherit    unknown   public,origin,thickorigin     linear    
  lvro               skip activation            contiguous read-only public                        linear    
  lvspan                                        inherit    unknown   public                        linear    
  lvspan2    merging                            inherit    unknown   public,origin,thickorigin     linear    
  snap1                                         inherit    unknown   public,snapshot,thicksnapshot linear    
  [snapm]    merging                            inherit    unknown   public,snapshot,thicksnapshot linear    
  Small                                         inherit    unknown   public                        linear    
  big                                           inherit    unknown   public                        linear    
"#);
}

/// `lvs -o name,size,attr,Origin,uuid rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_short_aliases() {
    same(
        &lvs(&["-o", "name,size,attr,Origin,uuid"]),
        &lvm2(
            r#"  LV      LSize   Attr       Origin LV UUID                               
  lv1      20.00m owi-XXs---        rY9oNd-O8Qs-oiBD-aX87-MSm0-7HA5-stwncN
  lvro     12.00m -rc-XX---k        g2N28b-4ZtT-3Gio-Vfq5-3Yfm-BSjM-SOTZUm
  lvspan  180.00m -wi-XX----        AAoUr2-cTEM-TcPI-MHT2-8ZqW-PSWJ-80ePgx
  lvspan2  92.00m Owi-XXs---        er3Mnz-uaGR-mcnk-yscD-s0bE-2Tlx-nrQX78
  snap1     8.00m swi-XXs--- lv1    Sn4pAA-1111-2222-3333-4444-5555-666666
  Small     5.00m -wi-XX----        MjeP9X-3m7t-CEQD-cq8u-NTMY-kTUN-ScsxXI
  big      <2.00g -wi-XX----        rYKfyA-TDW0-xfTK-5AEB-qfUu-Y2SG-Fq6Fkc
"#,
        ),
    );
}

/// `vgs -o name,size,attr,free,uuid,extent_size,extent_count,free_count,seqno,tags,pv_count,lv_count,snap_count,max_lv,max_pv,allocation_policy,permissions,extendable,exported,partial,missing_pv_count rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_short_aliases() {
    same(&vgs(&["-o", "name,size,attr,free,uuid,extent_size,extent_count,free_count,seqno,tags,pv_count,lv_count,snap_count,max_lv,max_pv,allocation_policy,permissions,extendable,exported,partial,missing_pv_count"]), r#"  VG     VSize   Attr   VFree    VG UUID                                Ext   #Ext Free Seq VG Tags #PV #LV #SN MaxLV MaxPV AllocPol   VPerms     Extendable Exported   Partial    #PV Missing
  rptvg1 344.00m wz--n-   28.00m iWZRH2-bpOp-315q-o2Ae-VMdg-EUh5-2yuspy 4.00m   86    7   7           2   5   2     0     0 normal     writeable  extendable                                 0
  rptvg2  <3.00g wz--n- 1023.00m 3O2jco-CK3L-S9dp-msCO-Ledf-DEaa-DxA8Dn 1.00m 3071 1023   4 db,prod   1   2   0     0     0 normal     writeable  extendable                                 0
  rptvg3  60.00m wz--n-   60.00m U4eYEt-oZIZ-1oEa-4vJX-lwYy-nDtW-aXsDDx 4.00m   15   15   1           1   0   0     0     0 normal     writeable  extendable                                 0
"#);
}

/// `pvs -o name,size,attr,free,uuid,used,pe_start,pe_count,pe_alloc_count,dev_size,tags,mda_count,allocatable,exported,missing,in_use /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_short_aliases() {
    same(&pvs(&["-o", "name,size,attr,free,uuid,used,pe_start,pe_count,pe_alloc_count,dev_size,tags,mda_count,allocatable,exported,missing,in_use"]), &r#"  PV         PSize   Attr PFree    PV UUID                                Used    1st PE  PE   Alloc DevSize PV Tags #PMda Allocatable Exported   Missing    PInUse
  /dev/loop0  96.00m a--    28.00m eG9HS2-XxfN-MzGE-PyJc-BhDU-2mLR-f0wMGK  68.00m   1.00m   24    17 100.00m             1 allocatable                         used
  /dev/loop1 248.00m a--        0  wFjrte-YOA3-2BsX-AiDV-044V-460W-1SLQxr 248.00m   1.00m   62    62 250.00m             1 allocatable                         used
  /dev/loop2   1.00g ---     1.00g lTfyBc-z0nH-Mk0w-57Wo-br4p-blc3-JWmMn8      0    1.00m    0     0   1.00g             1                                         
  /dev/loop3  <3.00g a--  1023.00m mz4fmj-vJqD-C0x8-8KqR-eJjG-lPTz-0vVcvm   2.00g   1.00m 3071  2048   3.00g             1 allocatable                         used
  /dev/loop4 <95.37m ---   <95.37m CU27RH-RBhF-rWfQ-0ddD-Zcnf-b68b-UQ8cvl      0    1.00m    0     0 <95.37m             1                                         
  /dev/loop5  60.00m a--    60.00m 0VDUAN-uIxY-Cb0v-1ZQa-NkhQ-C0ke-3sOAYI      0    1.00m   15     0  64.00m             1 allocatable                         used
"#
        // LVM2 was given one metadata area per PV here; rvm always keeps two.
        .replace("             1 ", "             2 "));
}

/// `lvs -o +lv_active,lv_permissions rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_plus_active_permissions() {
    same(
        &lvs(&["-o", "+lv_active,lv_permissions"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert Active LPerms   
  lv1     rptvg1 owi-XXs---  20.00m                                                            unknown  
  lvro    rptvg1 -rc-XX---k  12.00m                                                            read-only
  lvspan  rptvg1 -wi-XX---- 180.00m                                                            unknown  
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                            unknown  
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                                   unknown  
  Small   rptvg2 -wi-XX----   5.00m                                                            unknown  
  big     rptvg2 -wi-XX----  <2.00g                                                            unknown  
"#,
        ),
    );
}

/// `lvs -o-lv_attr,data_percent rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_minus_two_fields() {
    same(
        &lvs(&["-o-lv_attr,data_percent"]),
        r#"  LV      VG     LSize   Pool Origin Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1  20.00m                                             
  lvro    rptvg1  12.00m                                             
  lvspan  rptvg1 180.00m                                             
  lvspan2 rptvg1  92.00m                                             
  snap1   rptvg1   8.00m      lv1                                    
  Small   rptvg2   5.00m                                             
  big     rptvg2  <2.00g                                             
"#,
    );
}

/// `lvs -o+chunk_size,origin_size,snap_percent,copy_percent rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_snapshot_fields() {
    same(
        &lvs(&["-o+chunk_size,origin_size,snap_percent,copy_percent"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert Chunk OSize  Snap%  Cpy%Sync
  lv1     rptvg1 owi-XXs---  20.00m                                                        0  20.00m                
  lvro    rptvg1 -rc-XX---k  12.00m                                                        0                        
  lvspan  rptvg1 -wi-XX---- 180.00m                                                        0                        
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                        0  92.00m                
  lvspan2 rptvg1 Owi-XXs---  92.00m                                                        0  92.00m                
  snap1   rptvg1 swi-XXs---   8.00m      lv1                                            4.00k 20.00m                
  Small   rptvg2 -wi-XX----   5.00m                                                        0                        
  big     rptvg2 -wi-XX----  <2.00g                                                        0                        
"#,
        ),
    );
}

/// `lvs -a -o lv_name,origin,origin_uuid,origin_size,chunk_size,lv_merging,lv_role rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_origin_fields() {
    same(
        &lvs(&[
            "-a",
            "-o",
            "lv_name,origin,origin_uuid,origin_size,chunk_size,lv_merging,lv_role",
        ]),
        r#"  LV      Origin  Origin UUID                            OSize  Chunk   Merging    Role                         
  lv1                                                    20.00m      0             public,origin,thickorigin    
  lvro                                                               0             public                       
  lvspan                                                             0             public                       
  lvspan2                                                92.00m      0     merging public,origin,thickorigin    
  lvspan2                                                92.00m      0     merging public,origin,thickorigin    
  snap1   lv1     rY9oNd-O8Qs-oiBD-aX87-MSm0-7HA5-stwncN 20.00m   4.00k            public,snapshot,thicksnapshot
  [snapm] lvspan2 er3Mnz-uaGR-mcnk-yscD-s0bE-2Tlx-nrQX78 92.00m 128.00k    merging public,snapshot,thicksnapshot
  Small                                                              0             public                       
  big                                                                0             public                       
"#,
    );
}

/// `pvs -o pv_name,vg_name,vg_size,vg_free /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_with_vg_fields() {
    same(
        &pvs(&["-o", "pv_name,vg_name,vg_size,vg_free"]),
        r#"  PV         VG     VSize   VFree   
  /dev/loop0 rptvg1 344.00m   28.00m
  /dev/loop1 rptvg1 344.00m   28.00m
  /dev/loop2             0        0 
  /dev/loop3 rptvg2  <3.00g 1023.00m
  /dev/loop4             0        0 
  /dev/loop5 rptvg3  60.00m   60.00m
"#,
    );
}

/// `pvs -o pv_name,vg_attr /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_orphan_vg_attr() {
    same(
        &pvs(&["-o", "pv_name,vg_attr"]),
        r#"  PV         Attr  
  /dev/loop0 wz--n-
  /dev/loop1 wz--n-
  /dev/loop2 r-----
  /dev/loop3 wz--n-
  /dev/loop4 r-----
  /dev/loop5 wz--n-
"#,
    );
}

/// `vgs -o vg_name,pv_name,pv_size rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_with_pv_fields() {
    same(
        &vgs(&["-o", "vg_name,pv_name,pv_size"]),
        r#"  VG     PV         PSize  
  rptvg1 /dev/loop0  96.00m
  rptvg1 /dev/loop1 248.00m
  rptvg2 /dev/loop3  <3.00g
  rptvg3 /dev/loop5  60.00m
"#,
    );
}

/// `lvs -o lv_name,vg_name,vg_size,vg_extent_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_with_vg_fields() {
    same(
        &lvs(&["-o", "lv_name,vg_name,vg_size,vg_extent_size"]),
        r#"  LV      VG     VSize   Ext  
  lv1     rptvg1 344.00m 4.00m
  lvro    rptvg1 344.00m 4.00m
  lvspan  rptvg1 344.00m 4.00m
  lvspan2 rptvg1 344.00m 4.00m
  snap1   rptvg1 344.00m 4.00m
  Small   rptvg2  <3.00g 1.00m
  big     rptvg2  <3.00g 1.00m
"#,
    );
}

/// `lvs -o vg_name,lv_name,lv_size,lv_attr,pv_count,lv_count rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_with_vg_counts() {
    same(
        &lvs(&["-o", "vg_name,lv_name,lv_size,lv_attr,pv_count,lv_count"]),
        &lvm2(
            r#"  VG     LV      LSize   Attr       #PV #LV
  rptvg1 lv1      20.00m owi-XXs---   2   5
  rptvg1 lvro     12.00m -rc-XX---k   2   5
  rptvg1 lvspan  180.00m -wi-XX----   2   5
  rptvg1 lvspan2  92.00m Owi-XXs---   2   5
  rptvg1 snap1     8.00m swi-XXs---   2   5
  rptvg2 Small     5.00m -wi-XX----   1   2
  rptvg2 big      <2.00g -wi-XX----   1   2
"#,
        ),
    );
}

/// `lvs -o lv_name,lv_major,lv_minor,lv_read_ahead,lv_kernel_major rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_numbers_undefined() {
    same(
        &lvs(&[
            "-o",
            "lv_name,lv_major,lv_minor,lv_read_ahead,lv_kernel_major",
        ]),
        r#"  LV      Maj Min Rahead KMaj
  lv1      -1  -1   auto   -1
  lvro     -1  -1   auto   -1
  lvspan   -1  -1   auto   -1
  lvspan2  -1  -1   auto   -1
  snap1    -1  -1   auto   -1
  Small    -1  -1   auto   -1
  big      -1  -1   auto   -1
"#,
    );
}

/// `pvs /dev/loop0 /dev/loop4`
#[test]
fn pvs_named_pvs_only() {
    let got = super::run_pvs(ReportKind::Pvs, &[], &[], &["/dev/loop0", "/dev/loop4"]).unwrap();
    same(
        &got,
        r#"  PV         VG     Fmt  Attr PSize   PFree  
  /dev/loop0 rptvg1 lvm2 a--   96.00m  28.00m
  /dev/loop4        lvm2 ---  <95.37m <95.37m
"#,
    );
}

/// `pvs -o pv_name,vg_free,pv_count,lv_name /dev/loop1`: VG figures count every PV.
#[test]
fn pvs_named_pv_keeps_vg_totals() {
    let args = ["-o", "pv_name,vg_free,pv_count,lv_name"];
    let got = super::run_pvs(ReportKind::Pvs, &args, &[], &["/dev/loop1"]).unwrap();
    same(
        &got,
        r#"  PV         VFree  #PV LV     
  /dev/loop1 28.00m   2 lvspan 
  /dev/loop1 28.00m   2 lvspan2
"#,
    );
}

/// `lvs rptvg1/snapm rptvg1/snap1`: a named hidden LV is listed; origins still resolve.
#[test]
fn lvs_named_lvs() {
    let got = super::run_named(
        ReportKind::Lvs,
        &[],
        &["rptvg1"],
        &[],
        &["rptvg1/snapm", "rptvg1/snap1"],
    )
    .unwrap();
    same(
        &got,
        &lvm2(
            r#"  LV      VG     Attr       LSize Pool Origin  Data%  Meta%  Move Log Cpy%Sync Convert
  snap1   rptvg1 swi-XXs--- 8.00m      lv1                                            
  [snapm] rptvg1 Swi-XXs--- 4.00m      lvspan2                                        
"#,
        ),
    );
}

/// `lvs -o +vg_free,lv_count rptvg1/lv1`: VG figures count every LV.
#[test]
fn lvs_named_lv_keeps_vg_totals() {
    let args = ["-o", "+vg_free,lv_count"];
    let got = super::run_named(ReportKind::Lvs, &args, &["rptvg1"], &[], &["rptvg1/lv1"]).unwrap();
    same(
        &got,
        &lvm2(
            r#"  LV   VG     Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert VFree  #LV
  lv1  rptvg1 owi-XXs--- 20.00m                                                     28.00m   5
"#,
        ),
    );
}
