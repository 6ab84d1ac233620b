fn main() -> std::process::ExitCode {
    registrar::cli::main()
}
