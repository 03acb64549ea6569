fn main() -> std::process::ExitCode {
    traveler::cli::main()
}
