//! Commands about the logical unit as a whole: TEST UNIT READY, REQUEST SENSE,
//! START STOP UNIT and READ CAPACITY.

use super::exec::{Ctx, Done};
use super::ScsiStatus;

/// TEST UNIT READY (SPC-4 §6.47): a mapped volume is always ready.
pub fn test_unit_ready(ctx: &mut Ctx) -> Done {
    ctx.lun()?;
    Ok(ScsiStatus::Good)
}
