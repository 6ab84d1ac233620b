fn main() {
    std::process::exit(registrar::cli::main());
}
