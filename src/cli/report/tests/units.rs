//! Generated from LVM2 2.03.16 runs; see the module comment in tests/mod.rs.

use super::{lvm2, lvs, pvs, same, vgs};

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
