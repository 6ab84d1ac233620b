/// mimalloc instead of glibc's allocator: an import allocates and frees
/// small records by the million from two threads, and glibc's free lists
/// (`malloc_consolidate`, `unlink_chunk`) were a tenth of its profile.
/// Measured side by side in the README's speed table.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    registrar::cli::main()
}
