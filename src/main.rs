//! The `strider` binary: everything lives in the library; see `strider::cli`.

fn main() -> std::process::ExitCode {
    strider::cli::run()
}
