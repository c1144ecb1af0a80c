//! Many export commands at once, in separate processes: the exports lock serializes them,
//! so every change lands and the file stays valid.

mod exports_common;
use exports_common::*;

#[test]
fn parallel_acl_adds_and_exports_all_land() {
    let s = setup();
    s.ok(&["iscsi", "target", "create", T1]);
    const N: usize = 24;
    let mut children: Vec<(Vec<String>, std::process::Child)> = Vec::new();
    for i in 0..N {
        let args = vec![
            "iscsi".to_string(),
            "acl".to_string(),
            "add".to_string(),
            T1.to_string(),
            format!("iqn.2026-11.org.example:host{i}"),
        ];
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = s
            .cmd(&refs)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        children.push((args, child));
    }
    // NBD exports and LUNs race with them too.
    for i in 0..6 {
        let args = vec![
            "nbd".to_string(),
            "export".to_string(),
            "vg0/a".to_string(),
            "--name".to_string(),
            format!("n{i}"),
        ];
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        children.push((
            args.clone(),
            s.cmd(&refs)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        ));
        let args = vec![
            "iscsi".to_string(),
            "lun".to_string(),
            "add".to_string(),
            T1.to_string(),
            "vg0/b".to_string(),
        ];
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        children.push((
            args.clone(),
            s.cmd(&refs)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        ));
    }
    for (args, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "rvm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let j = exports_json(&s);
    let acl = j["iscsi"]["targets"][T1]["acl"].as_array().unwrap().clone();
    assert_eq!(acl.len(), N, "{acl:?}");
    for i in 0..N {
        let want = format!("iqn.2026-11.org.example:host{i}");
        assert!(
            acl.iter().any(|a| a == &serde_json::json!(want)),
            "{want} lost"
        );
    }
    assert_eq!(j["nbd"].as_object().unwrap().len(), 6);
    // Six LUN adds without --lun got six distinct numbers, the lowest free each time.
    let luns = j["iscsi"]["targets"][T1]["luns"].as_object().unwrap();
    let mut keys: Vec<&String> = luns.keys().collect();
    keys.sort();
    assert_eq!(keys, vec!["0", "1", "2", "3", "4", "5"]);
    // The tree agrees with the file.
    assert!(s.ok(&["iscsi", "list"]).contains(&format!("[ACLs: {N}]")));
}
