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

/// `lvs --units b -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_b() {
    same(
        &lvs(&["--units", "b", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize       OSize    
  lv1       20971520B 20971520B
  lvro      12582912B          
  lvspan   188743680B          
  lvspan2   96468992B 96468992B
  snap1      8388608B 20971520B
  Small      5242880B          
  big     2142240768B          
"#,
    );
}

/// `lvs --units B -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_b() {
    same(
        &lvs(&["--units", "B", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize       OSize    
  lv1       20971520B 20971520B
  lvro      12582912B          
  lvspan   188743680B          
  lvspan2   96468992B 96468992B
  snap1      8388608B 20971520B
  Small      5242880B          
  big     2142240768B          
"#,
    );
}

/// `lvs --units s -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_s() {
    same(
        &lvs(&["--units", "s", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize    OSize  
  lv1       40960S  40960S
  lvro      24576S        
  lvspan   368640S        
  lvspan2  188416S 188416S
  snap1     16384S  40960S
  Small     10240S        
  big     4184064S        
"#,
    );
}

/// `lvs --units S -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_s() {
    same(
        &lvs(&["--units", "S", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize    OSize  
  lv1       40960S  40960S
  lvro      24576S        
  lvspan   368640S        
  lvspan2  188416S 188416S
  snap1     16384S  40960S
  Small     10240S        
  big     4184064S        
"#,
    );
}

/// `lvs --units k -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_k() {
    same(
        &lvs(&["--units", "k", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize       OSize    
  lv1       20480.00k 20480.00k
  lvro      12288.00k          
  lvspan   184320.00k          
  lvspan2   94208.00k 94208.00k
  snap1      8192.00k 20480.00k
  Small      5120.00k          
  big     2092032.00k          
"#,
    );
}

/// `lvs --units K -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_k() {
    same(
        &lvs(&["--units", "K", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize       OSize    
  lv1       20971.52K 20971.52K
  lvro      12582.91K          
  lvspan   188743.68K          
  lvspan2   96468.99K 96468.99K
  snap1      8388.61K 20971.52K
  Small      5242.88K          
  big     2142240.77K          
"#,
    );
}

/// `lvs --units m -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_m() {
    same(
        &lvs(&["--units", "m", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize    OSize 
  lv1       20.00m 20.00m
  lvro      12.00m       
  lvspan   180.00m       
  lvspan2   92.00m 92.00m
  snap1      8.00m 20.00m
  Small      5.00m       
  big     2043.00m       
"#,
    );
}

/// `lvs --units M -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_m() {
    same(
        &lvs(&["--units", "M", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize    OSize 
  lv1       20.97M 20.97M
  lvro      12.58M       
  lvspan   188.74M       
  lvspan2   96.47M 96.47M
  snap1      8.39M 20.97M
  Small      5.24M       
  big     2142.24M       
"#,
    );
}

/// `lvs --units g -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_g() {
    same(
        &lvs(&["--units", "g", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.02g 0.02g
  lvro    0.01g      
  lvspan  0.18g      
  lvspan2 0.09g 0.09g
  snap1   0.01g 0.02g
  Small   0.00g      
  big     2.00g      
"#,
    );
}

/// `lvs --units G -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_g() {
    same(
        &lvs(&["--units", "G", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.02G 0.02G
  lvro    0.01G      
  lvspan  0.19G      
  lvspan2 0.10G 0.10G
  snap1   0.01G 0.02G
  Small   0.01G      
  big     2.14G      
"#,
    );
}

/// `lvs --units t -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_t() {
    same(
        &lvs(&["--units", "t", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00t 0.00t
  lvro    0.00t      
  lvspan  0.00t      
  lvspan2 0.00t 0.00t
  snap1   0.00t 0.00t
  Small   0.00t      
  big     0.00t      
"#,
    );
}

/// `lvs --units T -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_t() {
    same(
        &lvs(&["--units", "T", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00T 0.00T
  lvro    0.00T      
  lvspan  0.00T      
  lvspan2 0.00T 0.00T
  snap1   0.00T 0.00T
  Small   0.00T      
  big     0.00T      
"#,
    );
}

/// `lvs --units p -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_p() {
    same(
        &lvs(&["--units", "p", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00p 0.00p
  lvro    0.00p      
  lvspan  0.00p      
  lvspan2 0.00p 0.00p
  snap1   0.00p 0.00p
  Small   0.00p      
  big     0.00p      
"#,
    );
}

/// `lvs --units P -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_p() {
    same(
        &lvs(&["--units", "P", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00P 0.00P
  lvro    0.00P      
  lvspan  0.00P      
  lvspan2 0.00P 0.00P
  snap1   0.00P 0.00P
  Small   0.00P      
  big     0.00P      
"#,
    );
}

/// `lvs --units e -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_e() {
    same(
        &lvs(&["--units", "e", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00e 0.00e
  lvro    0.00e      
  lvspan  0.00e      
  lvspan2 0.00e 0.00e
  snap1   0.00e 0.00e
  Small   0.00e      
  big     0.00e      
"#,
    );
}

/// `lvs --units E -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_e() {
    same(
        &lvs(&["--units", "E", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize OSize
  lv1     0.00E 0.00E
  lvro    0.00E      
  lvspan  0.00E      
  lvspan2 0.00E 0.00E
  snap1   0.00E 0.00E
  Small   0.00E      
  big     0.00E      
"#,
    );
}

/// `lvs --units h -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_h() {
    same(
        &lvs(&["--units", "h", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize   OSize 
  lv1      20.00m 20.00m
  lvro     12.00m       
  lvspan  180.00m       
  lvspan2  92.00m 92.00m
  snap1     8.00m 20.00m
  Small     5.00m       
  big       2.00g       
"#,
    );
}

/// `lvs --units H -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_h() {
    same(
        &lvs(&["--units", "H", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize   OSize 
  lv1      20.97M 20.97M
  lvro     12.58M       
  lvspan  188.74M       
  lvspan2  96.47M 96.47M
  snap1     8.39M 20.97M
  Small     5.24M       
  big       2.14G       
"#,
    );
}

/// `lvs --units r -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_r() {
    same(
        &lvs(&["--units", "r", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize   OSize 
  lv1      20.00m 20.00m
  lvro     12.00m       
  lvspan  180.00m       
  lvspan2  92.00m 92.00m
  snap1     8.00m 20.00m
  Small     5.00m       
  big      <2.00g       
"#,
    );
}

/// `lvs --units R -o lv_name,lv_size,origin_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_upper_r() {
    same(
        &lvs(&["--units", "R", "-o", "lv_name,lv_size,origin_size"]),
        r#"  LV      LSize   OSize  
  lv1      20.97M  20.97M
  lvro     12.58M        
  lvspan  188.74M        
  lvspan2 <96.47M <96.47M
  snap1    <8.39M  20.97M
  Small     5.24M        
  big       2.14G        
"#,
    );
}

/// `vgs --units b rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_b() {
    same(
        &vgs(&["--units", "b"]),
        r#"  VG     #PV #LV #SN Attr   VSize       VFree      
  rptvg1   2   5   2 wz--n-  360710144B   29360128B
  rptvg2   1   2   0 wz--n- 3220176896B 1072693248B
  rptvg3   1   0   0 wz--n-   62914560B   62914560B
"#,
    );
}

/// `pvs --units b /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_b() {
    same(
        &pvs(&["--units", "b"]),
        r#"  PV         VG     Fmt  Attr PSize       PFree      
  /dev/loop0 rptvg1 lvm2 a--   100663296B   29360128B
  /dev/loop1 rptvg1 lvm2 a--   260046848B          0B
  /dev/loop2        lvm2 ---  1073741824B 1073741824B
  /dev/loop3 rptvg2 lvm2 a--  3220176896B 1072693248B
  /dev/loop4        lvm2 ---    99999744B   99999744B
  /dev/loop5 rptvg3 lvm2 a--    62914560B   62914560B
"#,
    );
}

/// `vgs --units k rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_k() {
    same(
        &vgs(&["--units", "k"]),
        r#"  VG     #PV #LV #SN Attr   VSize       VFree      
  rptvg1   2   5   2 wz--n-  352256.00k   28672.00k
  rptvg2   1   2   0 wz--n- 3144704.00k 1047552.00k
  rptvg3   1   0   0 wz--n-   61440.00k   61440.00k
"#,
    );
}

/// `pvs --units k /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_k() {
    same(
        &pvs(&["--units", "k"]),
        r#"  PV         VG     Fmt  Attr PSize       PFree      
  /dev/loop0 rptvg1 lvm2 a--    98304.00k   28672.00k
  /dev/loop1 rptvg1 lvm2 a--   253952.00k          0k
  /dev/loop2        lvm2 ---  1048576.00k 1048576.00k
  /dev/loop3 rptvg2 lvm2 a--  3144704.00k 1047552.00k
  /dev/loop4        lvm2 ---    97656.00k   97656.00k
  /dev/loop5 rptvg3 lvm2 a--    61440.00k   61440.00k
"#,
    );
}

/// `vgs --units m rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_m() {
    same(
        &vgs(&["--units", "m"]),
        r#"  VG     #PV #LV #SN Attr   VSize    VFree   
  rptvg1   2   5   2 wz--n-  344.00m   28.00m
  rptvg2   1   2   0 wz--n- 3071.00m 1023.00m
  rptvg3   1   0   0 wz--n-   60.00m   60.00m
"#,
    );
}

/// `pvs --units m /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_m() {
    same(
        &pvs(&["--units", "m"]),
        r#"  PV         VG     Fmt  Attr PSize    PFree   
  /dev/loop0 rptvg1 lvm2 a--    96.00m   28.00m
  /dev/loop1 rptvg1 lvm2 a--   248.00m       0m
  /dev/loop2        lvm2 ---  1024.00m 1024.00m
  /dev/loop3 rptvg2 lvm2 a--  3071.00m 1023.00m
  /dev/loop4        lvm2 ---    95.37m   95.37m
  /dev/loop5 rptvg3 lvm2 a--    60.00m   60.00m
"#,
    );
}

/// `vgs --units g rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_g() {
    same(
        &vgs(&["--units", "g"]),
        r#"  VG     #PV #LV #SN Attr   VSize VFree
  rptvg1   2   5   2 wz--n- 0.34g 0.03g
  rptvg2   1   2   0 wz--n- 3.00g 1.00g
  rptvg3   1   0   0 wz--n- 0.06g 0.06g
"#,
    );
}

/// `pvs --units g /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_g() {
    same(
        &pvs(&["--units", "g"]),
        r#"  PV         VG     Fmt  Attr PSize PFree
  /dev/loop0 rptvg1 lvm2 a--  0.09g 0.03g
  /dev/loop1 rptvg1 lvm2 a--  0.24g    0g
  /dev/loop2        lvm2 ---  1.00g 1.00g
  /dev/loop3 rptvg2 lvm2 a--  3.00g 1.00g
  /dev/loop4        lvm2 ---  0.09g 0.09g
  /dev/loop5 rptvg3 lvm2 a--  0.06g 0.06g
"#,
    );
}

/// `vgs --units h rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_h() {
    same(
        &vgs(&["--units", "h"]),
        r#"  VG     #PV #LV #SN Attr   VSize   VFree   
  rptvg1   2   5   2 wz--n- 344.00m   28.00m
  rptvg2   1   2   0 wz--n-   3.00g 1023.00m
  rptvg3   1   0   0 wz--n-  60.00m   60.00m
"#,
    );
}

/// `pvs --units h /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_h() {
    same(
        &pvs(&["--units", "h"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree   
  /dev/loop0 rptvg1 lvm2 a--   96.00m   28.00m
  /dev/loop1 rptvg1 lvm2 a--  248.00m       0 
  /dev/loop2        lvm2 ---    1.00g    1.00g
  /dev/loop3 rptvg2 lvm2 a--    3.00g 1023.00m
  /dev/loop4        lvm2 ---   95.37m   95.37m
  /dev/loop5 rptvg3 lvm2 a--   60.00m   60.00m
"#,
    );
}

/// `vgs --units H rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_units_upper_h() {
    same(
        &vgs(&["--units", "H"]),
        r#"  VG     #PV #LV #SN Attr   VSize   VFree 
  rptvg1   2   5   2 wz--n- 360.71M 29.36M
  rptvg2   1   2   0 wz--n-   3.22G  1.07G
  rptvg3   1   0   0 wz--n-  62.91M 62.91M
"#,
    );
}

/// `pvs --units H /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_upper_h() {
    same(
        &pvs(&["--units", "H"]),
        r#"  PV         VG     Fmt  Attr PSize   PFree  
  /dev/loop0 rptvg1 lvm2 a--  100.66M  29.36M
  /dev/loop1 rptvg1 lvm2 a--  260.05M      0 
  /dev/loop2        lvm2 ---    1.07G   1.07G
  /dev/loop3 rptvg2 lvm2 a--    3.22G   1.07G
  /dev/loop4        lvm2 ---  100.00M 100.00M
  /dev/loop5 rptvg3 lvm2 a--   62.91M  62.91M
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

/// `vgs --nosuffix --units g rptvg1 rptvg2 rptvg3`
#[test]
fn vgs_nosuffix_units_g() {
    same(
        &vgs(&["--nosuffix", "--units", "g"]),
        r#"  VG     #PV #LV #SN Attr   VSize VFree
  rptvg1   2   5   2 wz--n-  0.34  0.03
  rptvg2   1   2   0 wz--n-  3.00  1.00
  rptvg3   1   0   0 wz--n-  0.06  0.06
"#,
    );
}

/// `lvs --units b --nosuffix rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_b_nosuffix_prints_integers() {
    same(
        &lvs(&["--units", "b", "--nosuffix"]),
        &lvm2(
            r#"  LV      VG     Attr       LSize      Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert
  lv1     rptvg1 owi-XXs---   20971520                                                    
  lvro    rptvg1 -rc-XX---k   12582912                                                    
  lvspan  rptvg1 -wi-XX----  188743680                                                    
  lvspan2 rptvg1 Owi-XXs---   96468992                                                    
  snap1   rptvg1 swi-XXs---    8388608      lv1                                           
  Small   rptvg2 -wi-XX----    5242880                                                    
  big     rptvg2 -wi-XX---- 2142240768                                                    
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

/// `lvs --units h -o lv_name,lv_size rptvg1 rptvg2 rptvg3`
#[test]
fn lvs_units_h_sizes() {
    same(
        &lvs(&["--units", "h", "-o", "lv_name,lv_size"]),
        r#"  LV      LSize  
  lv1      20.00m
  lvro     12.00m
  lvspan  180.00m
  lvspan2  92.00m
  snap1     8.00m
  Small     5.00m
  big       2.00g
"#,
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

/// `pvs --units s -o pv_name,pv_size,pe_start,dev_size /dev/loop0 /dev/loop1 /dev/loop2 /dev/loop3 /dev/loop4 /dev/loop5`
#[test]
fn pvs_units_s() {
    same(
        &pvs(&["--units", "s", "-o", "pv_name,pv_size,pe_start,dev_size"]),
        r#"  PV         PSize    1st PE  DevSize 
  /dev/loop0  196608S   2048S  204800S
  /dev/loop1  507904S   2048S  512000S
  /dev/loop2 2097152S   2048S 2097152S
  /dev/loop3 6289408S   2048S 6291456S
  /dev/loop4  195312S   2048S  195312S
  /dev/loop5  122880S   2048S  131072S
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
