fn main() -> std::process::ExitCode {
    zdauth::cli::main()
}
