//! lvremove and vgremove of exported LVs: refused unless `-f`, and with `-f` the LVs are
//! unexported before they go, so a running daemon stops serving them before their extents
//! can be reused. The exports lock is held for the whole command (taken before any VG lock),
//! so no export of a doomed LV can appear meanwhile.

use super::commit;
use crate::cli::Ctx;
use crate::daemon::exports::resolve::{current_name, users_of};
use crate::daemon::exports::{ExportError, ExportStore, ExportTxn, ExportUse};
use crate::meta::model::{Lv, Vg};

/// The exports lock held across an LV-removing command.
pub struct ExportGuard<'c, 'a> {
    ctx: &'c Ctx<'a>,
    txn: ExportTxn,
    /// The last [`ExportGuard::release`] unexported something, which `undo` puts back.
    released: bool,
}

impl<'c, 'a> ExportGuard<'c, 'a> {
    /// Takes the exports lock; call before taking any VG lock.
    pub fn take(ctx: &'c Ctx<'a>) -> Result<Self, ExportError> {
        Ok(ExportGuard {
            ctx,
            txn: ExportStore::of(ctx.env).begin()?,
            released: false,
        })
    }

    /// Exports of `lvs` (of `vg`), by LV.
    fn exports_of(&self, vg: &Vg, lvs: &[&Lv]) -> Vec<(String, Vec<ExportUse>)> {
        lvs.iter()
            .map(|lv| (current_name(vg, lv), users_of(&self.txn.config, vg, lv)))
            .filter(|(_, uses)| !uses.is_empty())
            .collect()
    }

    /// Refuses, without `force`, to remove exported `lvs`: called before asking the user
    /// anything, so that the answer is not wasted.
    pub fn check(&self, vg: &Vg, lvs: &[&Lv], force: bool) -> Result<(), ExportError> {
        match self.exports_of(vg, lvs).first() {
            Some((lv, uses)) if !force => Err(ExportError::InUse {
                lv: lv.clone(),
                uses: join(uses),
            }),
            _ => Ok(()),
        }
    }

    /// `lvs` of `vg` are about to be removed. Without `force`, refuses if any is exported;
    /// with it, unexports them (durably, and live through the sink). Returns the lines to
    /// print once the removal has succeeded.
    pub fn release(
        &mut self,
        vg: &Vg,
        lvs: &[&Lv],
        force: bool,
    ) -> Result<Vec<String>, ExportError> {
        self.released = false;
        self.check(vg, lvs, force)?;
        let found = self.exports_of(vg, lvs);
        if found.is_empty() {
            return Ok(Vec::new());
        }
        for (_, uses) in &found {
            self.txn.config.remove_uses(uses);
        }
        commit(self.ctx, &mut self.txn)?;
        self.released = true;
        Ok(found
            .iter()
            .map(|(lv, uses)| format!("  Logical volume {lv} unexported: {}.", join(uses)))
            .collect())
    }

    /// The removal failed after [`ExportGuard::release`]: puts the exports file back as it
    /// was, and tells the sink.
    pub fn undo(&mut self) -> Result<(), ExportError> {
        if !std::mem::take(&mut self.released) {
            return Ok(());
        }
        let unexported = self.txn.config.clone();
        if self.txn.revert()? {
            if let Err(e) = self
                .ctx
                .exports
                .exports_changed(&unexported, &self.txn.config)
            {
                self.ctx.env.warn(format!(
                    "WARNING: The exports are restored, but the running daemon did not apply it: {e}"
                ));
            }
        }
        Ok(())
    }

    /// [`ExportGuard::undo`] where the removal's own error is the one to report: a failure
    /// to restore becomes a warning.
    pub fn undo_or_warn(&mut self) {
        if let Err(e) = self.undo() {
            self.ctx.env.warn(format!(
                "WARNING: The LVs were not removed, but their exports could not be restored: {e}"
            ));
        }
    }
}

fn join(uses: &[ExportUse]) -> String {
    uses.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
