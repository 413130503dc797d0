//! Makes a thumbnail of each uploaded review photo (S3 `ObjectCreated`).

use std::path::{Component, Path, PathBuf};

use aws_lambda_events::s3::S3Event;
use percent_encoding::percent_decode_str;

use crate::Error;

const WORK_DIR: &str = "/tmp/work";

/// Decodes an S3 event key (form-urlencoded: `+` is a space).
fn decode_key(key: &str) -> String {
    percent_decode_str(&key.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// `..` and `.` resolved without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Where the photo is downloaded before resizing, for each record.
///
/// # Errors
/// When a key is missing or holds `..`.
pub fn handler(event: S3Event) -> Result<Vec<PathBuf>, Error> {
    let mut local = Vec::new();
    for record in event.records {
        let key = decode_key(
            record
                .s3
                .object
                .key
                .as_deref()
                .ok_or("record without a key")?,
        );
        if key.contains("..") {
            return Err(format!("refusing key {key:?}").into());
        }
        // BUG: the key was already decoded; decoding it again turns `%2e%2e%2f` into `../`.
        let file = decode_key(&key);
        let path = normalise(&Path::new(WORK_DIR).join(file));
        path.strip_prefix(WORK_DIR)
            .expect("object key stays inside the work directory");
        local.push(path);
    }
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(key: &str) -> S3Event {
        let mut record = aws_lambda_events::s3::S3EventRecord::default();
        record.s3.object.key = Some(key.to_owned());
        let mut event = S3Event::default();
        event.records.push(record);
        event
    }

    #[test]
    fn a_normal_key_lands_in_the_work_directory() {
        let paths = handler(event("uploads/review+1.jpg")).unwrap();
        assert_eq!(paths, vec![PathBuf::from("/tmp/work/uploads/review 1.jpg")]);
    }

    #[test]
    fn a_plain_traversal_is_refused() {
        assert!(handler(event("../etc/passwd")).is_err());
        assert!(handler(event("..%2Fetc")).is_err());
    }
}
