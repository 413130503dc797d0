//! The `strider` binary: everything lives in the library; see `strider::cli`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    strider::cli::run()
}
