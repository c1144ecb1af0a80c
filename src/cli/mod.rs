//! Layer 7: the LVM2-compatible command line, its report engine and argv[0] dispatch.

pub mod report;

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    eprintln!("  rvm: no commands are implemented yet");
    5
}
