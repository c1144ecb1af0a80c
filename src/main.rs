fn main() {
    std::process::exit(rvm::cli::main());
}
