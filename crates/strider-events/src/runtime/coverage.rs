//! Coverage of the handler's own code, fed to libFuzzer. The Python runtime script counts
//! line-to-line edges of the handler's files into a shared file of [`SIZE`] bytes (one
//! saturating counter per edge hash); after each invocation the harness moves them into
//! libFuzzer's extra counters, which libFuzzer clears before every run and reads after it, as
//! it reads its own instrumentation. A new edge inside the handler is then new coverage, and
//! the input that reached it joins the corpus.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Counters in the shared file.
pub const SIZE: usize = 1 << 16;

/// libFuzzer's extra counters: it finds them by their section (`__start_`/`__stop_` symbols
/// of `__libfuzzer_extra_counters`).
#[cfg(feature = "extra-counters")]
#[expect(
    unsafe_code,
    reason = "libFuzzer's extra-counters ABI is a linker section; the static is only ever accessed through atomics"
)]
#[used]
#[unsafe(link_section = "__libfuzzer_extra_counters")]
static EXTRA: [std::sync::atomic::AtomicU8; SIZE] =
    [const { std::sync::atomic::AtomicU8::new(0) }; SIZE];

/// The shared counters of one handler process.
pub struct Coverage {
    file: File,
    buffer: Vec<u8>,
}

impl Coverage {
    /// Creates the shared file, zeroed.
    ///
    /// # Errors
    /// When it cannot be written.
    pub fn create(path: &Path) -> Result<Coverage, String> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .and_then(|f| f.set_len(SIZE as u64).map(|()| f))
            .map_err(|err| format!("cannot create {}: {err}", path.display()))?;
        Ok(Coverage {
            file,
            buffer: vec![0; SIZE],
        })
    }

    /// Takes the counters of the last invocation (the file is zeroed) and hands them to
    /// libFuzzer; returns how many edges were hit.
    pub fn collect(&mut self) -> usize {
        if self.file.read_exact_at(&mut self.buffer, 0).is_err() {
            return 0;
        }
        let mut hit = 0;
        let mut dirty = false;
        for (i, chunk) in self.buffer.chunks(8).enumerate() {
            if chunk.iter().all(|&b| b == 0) {
                continue;
            }
            dirty = true;
            for (j, &count) in chunk.iter().enumerate() {
                if count != 0 {
                    hit += 1;
                    feed(i * 8 + j, count);
                }
            }
        }
        if dirty {
            self.buffer.fill(0);
            let _ = self.file.write_all_at(&self.buffer, 0);
        }
        hit
    }
}

#[cfg(feature = "extra-counters")]
fn feed(index: usize, count: u8) {
    use std::sync::atomic::Ordering;
    if let Some(counter) = EXTRA.get(index) {
        counter.fetch_max(count, Ordering::Relaxed);
    }
}

#[cfg(not(feature = "extra-counters"))]
fn feed(_: usize, _: u8) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_taken_once() {
        let path = std::env::temp_dir().join(format!("strider-cov-{}", std::process::id()));
        let mut coverage = Coverage::create(&path).unwrap();
        assert_eq!(coverage.collect(), 0);
        let other = File::options().write(true).open(&path).unwrap();
        other.write_all_at(&[3, 0, 1], 100).unwrap();
        other.write_all_at(&[9], (SIZE - 1) as u64).unwrap();
        assert_eq!(coverage.collect(), 3);
        assert_eq!(coverage.collect(), 0);
        let _ = std::fs::remove_file(path);
    }
}
