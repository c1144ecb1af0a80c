/// Large I/O buffers start on a page: see `rvm::alloc`.
#[global_allocator]
static ALLOC: rvm::alloc::PageAlignedLarge = rvm::alloc::PageAlignedLarge;

fn main() {
    std::process::exit(rvm::cli::main());
}
