//! LVM2's name rules for VGs, LVs and tags, so that a name rvm accepts is one LVM2 accepts
//! and tools that generate names behave the same on both.

use super::error::{MetaError, MetaResult};

/// Longest VG or LV name (LVM2's NAME_LEN less the terminator).
pub const MAX_NAME_LEN: usize = 127;

/// LV name prefixes LVM2 reserves for its own volumes.
const RESERVED_LV_PREFIXES: &[&str] = &["snapshot", "pvmove"];

/// LV name parts LVM2 reserves for hidden sub-volumes (`lv_mlog`, `lv_rimage_0`, ...).
const RESERVED_LV_PARTS: &[&str] = &[
    "_cdata",
    "_cmeta",
    "_corig",
    "_cpool",
    "_cvol",
    "_iorig",
    "_mimage",
    "_mimagetmp",
    "_mlog",
    "_pmspare",
    "_rimage",
    "_rmeta",
    "_tdata",
    "_tmeta",
    "_vdata",
    "_vorigin",
    "_wcorig",
    "_imeta",
    "_vdo",
];

fn invalid(what: &str, name: &str, why: &str) -> MetaError {
    MetaError::InvalidName(format!("{what} name \"{name}\" is invalid: {why}"))
}

/// Characters, length and dots, common to VG and LV names.
fn check_common(what: &str, name: &str) -> MetaResult<()> {
    if name.is_empty() {
        return Err(MetaError::InvalidName(format!("{what} name is empty")));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(invalid(what, name, "longer than 127 characters"));
    }
    if name == "." || name == ".." {
        return Err(invalid(what, name, "reserved"));
    }
    if name.starts_with('-') {
        return Err(invalid(what, name, "it starts with '-'"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+_.-".contains(*c)))
    {
        return Err(invalid(
            what,
            name,
            &format!("character '{c}' is not allowed (only a-z A-Z 0-9 + _ . -)"),
        ));
    }
    Ok(())
}

/// Checks a volume group name.
pub fn check_vg_name(name: &str) -> MetaResult<()> {
    check_common("Volume group", name)?;
    if name == "lvm" || name == "orphans" || name.starts_with("#") {
        return Err(invalid("Volume group", name, "reserved"));
    }
    Ok(())
}

/// Checks a logical volume name, including LVM2's reserved prefixes and parts.
pub fn check_lv_name(name: &str) -> MetaResult<()> {
    check_common("Logical volume", name)?;
    if let Some(p) = RESERVED_LV_PREFIXES.iter().find(|p| name.starts_with(*p)) {
        return Err(invalid(
            "Logical volume",
            name,
            &format!("names starting with \"{p}\" are reserved"),
        ));
    }
    if let Some(p) = RESERVED_LV_PARTS.iter().find(|p| name.contains(*p)) {
        return Err(invalid(
            "Logical volume",
            name,
            &format!("names containing \"{p}\" are reserved"),
        ));
    }
    Ok(())
}

/// Checks a tag (`--addtag`): LVM2's characters, at most 1024 bytes; a leading `@` is dropped.
pub fn check_tag(tag: &str) -> MetaResult<String> {
    let t = tag.strip_prefix('@').unwrap_or(tag);
    if t.is_empty() || t.len() > 128 {
        return Err(MetaError::InvalidName(format!("Tag \"{tag}\" is invalid")));
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+.-/=!:&#".contains(c))
    {
        return Err(MetaError::InvalidName(format!(
            "Tag \"{tag}\" contains invalid characters"
        )));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lvm2_rules() {
        for ok in ["vg0", "a.b", "x-1", "A_B+c", "lv_data"] {
            assert!(check_vg_name(ok).is_ok(), "{ok}");
            assert!(check_lv_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "-x", "a/b", "a b", "é", &"x".repeat(128)] {
            assert!(check_vg_name(bad).is_err(), "{bad}");
            assert!(check_lv_name(bad).is_err(), "{bad}");
        }
        assert!(check_lv_name(&"x".repeat(127)).is_ok());
        for bad in ["snapshot1", "pvmove0", "data_mlog", "x_rimage_0", "y_tmeta"] {
            assert!(check_lv_name(bad).is_err(), "{bad}");
        }
        assert_eq!(check_tag("@web").unwrap(), "web");
        assert!(check_tag("bad tag").is_err());
    }
}
