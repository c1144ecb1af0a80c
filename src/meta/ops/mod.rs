//! Every command's change to a VG, as a pure function over the model.
//!
//! No I/O here: the CLI runs these inside a transaction (`meta::txn`), and the daemon will run
//! the same functions on VGs it holds open. Each function checks everything first and changes
//! the VG only when it will succeed, so an error leaves the model untouched.

mod lv;
mod vg;

pub use lv::*;
pub use vg::*;

use super::error::{MetaError, MetaResult};
use super::model::Vg;

/// How many extents a size option asks for (`-l` forms, or `-L` converted to extents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extents {
    /// An absolute number of extents.
    Count(u64),
    /// N% of the VG's extents.
    PercentVg(u64),
    /// N% of the VG's free extents.
    PercentFree(u64),
    /// N% of the extents on the named PVs (all PVs when none are named).
    PercentPvs(u64),
    /// N% of the origin's size; for snapshots only.
    PercentOrigin(u64),
}

/// Turns a size request into a number of extents, LVM2's way (percentages round down).
pub fn resolve_extents(
    vg: &Vg,
    spec: Extents,
    usable: &[bool],
    origin_extents: Option<u64>,
) -> MetaResult<u64> {
    let pct = |p: u64, of: u64| of.saturating_mul(p) / 100;
    Ok(match spec {
        Extents::Count(n) => n,
        Extents::PercentVg(p) => pct(p, vg.extent_count()),
        Extents::PercentFree(p) => pct(p, super::alloc::FreeMap::of(vg).free(|i| usable[i])),
        Extents::PercentPvs(p) => pct(
            p,
            vg.pvs
                .iter()
                .enumerate()
                .filter(|(i, _)| usable[*i])
                .map(|(_, pv)| pv.pe_count)
                .sum(),
        ),
        Extents::PercentOrigin(p) => match origin_extents {
            Some(o) => pct(p, o),
            None => {
                return Err(MetaError::Refused(
                    "Please express size as %FREE, %PVS or %VG.".into(),
                ))
            }
        },
    })
}

#[cfg(test)]
mod tests;
