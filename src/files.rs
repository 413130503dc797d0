//! Reading the files a user named, and only those.
//!
//! Models, input schemas and findings arrive in pull requests, so a path inside them is hostile: a
//! symlink to `/proc/self/environ` or to a credentials file, a symlink loop, a FIFO that blocks
//! the reader forever, `/dev/zero`. Every file strider reads because a model or a directory named
//! it goes through a [`Tree`]: the directory tree given on the command line. Inside it,
//!
//! - only regular files are read (a FIFO, a device or a socket is refused before it is opened);
//! - a symlink is followed only when its final target stays inside the tree;
//! - the size limit is checked before reading, and the read itself stops one byte past it;
//! - a directory walk visits each real file and directory once, whatever links point at them.
//!
//! What is refused is a [`Refusal`], which says which path and why, for a warning or an error.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a path was not read.
#[derive(Debug)]
pub enum Refusal {
    /// The path (or what its links lead to) does not exist or cannot be read.
    Io(PathBuf, std::io::Error),
    /// A symlink whose target is outside the tree.
    Outside {
        /// The path as named.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
    },
    /// Not a regular file: a directory where a file was wanted, a FIFO, a device, a socket.
    NotRegular(PathBuf, &'static str),
    /// Larger than the limit.
    TooLarge {
        /// The path as named.
        path: PathBuf,
        /// Its size, or the limit + 1 when it grew while being read.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl Refusal {
    /// The path as it was named.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Refusal::Io(path, _)
            | Refusal::Outside { path, .. }
            | Refusal::NotRegular(path, _)
            | Refusal::TooLarge { path, .. } => path,
        }
    }

    /// Why, in a few words, without the path.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            Refusal::Io(_, err) => err.to_string(),
            Refusal::Outside { target, .. } => format!(
                "it resolves to `{}`, outside the directory tree strider may read (the model's \
                 directory, or the one given with --root; a path named on the command line may \
                 link only within its own directory)",
                crate::escape::terminal(&target.display().to_string())
            ),
            Refusal::NotRegular(_, kind) => format!("it is {kind}, not a regular file"),
            Refusal::TooLarge { size, limit, .. } => {
                format!("it is larger than strider reads ({size} bytes, limit {limit})")
            }
        }
    }

    /// Whether the path does not exist at all (as opposed to existing and being refused).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Refusal::Io(_, err) if err.kind() == std::io::ErrorKind::NotFound)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` was not read: {}",
            crate::escape::terminal(&self.path().display().to_string()),
            self.reason()
        )
    }
}

impl std::error::Error for Refusal {}

/// The directory tree given on the command line, which every file read below it must stay in.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
}

/// What a directory walk found: the regular files, in path order, and what it left out.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files inside the tree, each real file once, sorted by the path as named.
    pub files: Vec<PathBuf>,
    /// What was skipped, and why.
    pub skipped: Vec<Refusal>,
    /// Whether the walk stopped at [`MAX_WALK_ENTRIES`] before seeing everything.
    pub truncated: bool,
}

/// The most directory entries one walk looks at: a tree of a million files is not read to its
/// end.
pub const MAX_WALK_ENTRIES: usize = 100_000;

impl Tree {
    /// The tree rooted at `root`: the directory itself, or the directory holding a file. A
    /// `root` that is a symlink must lead inside the directory that holds the link (see
    /// [`Tree::read_named`]).
    ///
    /// # Errors
    /// When `root` does not exist, cannot be resolved, or is a link out of its directory.
    pub fn new(root: &Path) -> Result<Tree, Refusal> {
        let canonical = named(root)?;
        let root = if canonical.is_dir() {
            canonical
        } else {
            canonical
                .parent()
                .map_or_else(|| canonical.clone(), Path::to_path_buf)
        };
        Ok(Tree { root })
    }

    /// The tree's root, resolved.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` (which may not exist) lies inside the tree once its links are resolved.
    #[must_use]
    pub fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(&self.root))
    }

    /// Where `path` leads, when that is inside the tree.
    fn resolve(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let target =
            std::fs::canonicalize(path).map_err(|err| Refusal::Io(path.to_path_buf(), err))?;
        if target.starts_with(&self.root) {
            Ok(target)
        } else {
            Err(Refusal::Outside {
                path: path.to_path_buf(),
                target,
            })
        }
    }

    /// Reads the regular file `path`, at most `limit` bytes, when it is inside the tree.
    ///
    /// # Errors
    /// The [`Refusal`]: outside the tree, not a regular file, larger than `limit`, or unreadable.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
        let target = self.resolve(path)?;
        read_regular(path, &target, limit)
    }

    /// Reads the regular file `path` that the user named on the command line, at most `limit`
    /// bytes. The name is the user's, but what it leads to may be a pull request's: a symlink
    /// is followed only when it leads inside the directory that holds it, so a checked-out
    /// `model.yaml -> /proc/self/environ` is refused like any other link out.
    ///
    /// # Errors
    /// The [`Refusal`]: a link out of its directory, not a regular file, larger than `limit`, or
    /// unreadable.
    pub fn read_named(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
        let target = named(path)?;
        read_regular(path, &target, limit)
    }

    /// The regular files below `dir` (which must be inside the tree) that `wanted` accepts, in
    /// the directories below it that `enter` accepts (`|_| false`: `dir` alone). Symlinks are
    /// followed only inside the tree; each real file and directory is visited once, so link
    /// loops end; at most [`MAX_WALK_ENTRIES`] entries are looked at (then `truncated`).
    ///
    /// # Errors
    /// When `dir` itself cannot be listed or is outside the tree.
    pub fn walk(
        &self,
        dir: &Path,
        enter: impl Fn(&Path) -> bool,
        wanted: impl Fn(&Path) -> bool,
    ) -> Result<Walk, Refusal> {
        self.walk_at_most(dir, enter, wanted, MAX_WALK_ENTRIES)
    }

    /// [`Tree::walk`], looking at `most` entries at most.
    fn walk_at_most(
        &self,
        dir: &Path,
        enter: impl Fn(&Path) -> bool,
        wanted: impl Fn(&Path) -> bool,
        most: usize,
    ) -> Result<Walk, Refusal> {
        let mut walk = Walk::default();
        let mut seen = BTreeSet::new();
        let mut pending = vec![(dir.to_path_buf(), self.resolve(dir)?)];
        let mut first = true;
        let mut looked_at = 0usize;
        while let Some((named, dir_real)) = pending.pop() {
            if !seen.insert(dir_real.clone()) {
                continue;
            }
            let entries = match std::fs::read_dir(&dir_real) {
                Ok(entries) => entries,
                Err(err) if first => return Err(Refusal::Io(named, err)),
                Err(err) => {
                    walk.skipped.push(Refusal::Io(named, err));
                    continue;
                }
            };
            first = false;
            let mut names: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| named.join(e.file_name()))
                .collect();
            names.sort();
            looked_at += names.len();
            if looked_at > most {
                walk.truncated = true;
                break;
            }
            for path in names.into_iter().rev() {
                let Ok(link) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                let real = if link.file_type().is_symlink() {
                    match self.resolve(&path) {
                        Ok(real) => real,
                        Err(refusal) => {
                            if wanted(&path) || !refusal.is_not_found() {
                                walk.skipped.push(refusal);
                            }
                            continue;
                        }
                    }
                } else {
                    dir_real.join(path.file_name().unwrap_or_default())
                };
                let Ok(meta) = std::fs::metadata(&real) else {
                    continue;
                };
                if meta.is_dir() {
                    if enter(&path) {
                        pending.push((path, real));
                    }
                } else if wanted(&path) {
                    if !meta.is_file() {
                        walk.skipped
                            .push(Refusal::NotRegular(path, kind(meta.file_type())));
                    } else if seen.insert(real) {
                        walk.files.push(path);
                    }
                }
            }
        }
        walk.files.sort();
        walk.skipped.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(walk)
    }
}

/// Where a path named on the command line leads, when that is inside the directory that holds
/// it (the path made absolute, then its parent resolved): any path that is not a link does.
fn named(path: &Path) -> Result<PathBuf, Refusal> {
    let io = |err| Refusal::Io(path.to_path_buf(), err);
    let target = std::fs::canonicalize(path).map_err(io)?;
    let absolute = std::path::absolute(path).map_err(io)?;
    let Some(parent) = absolute.parent() else {
        return Ok(target); // the file system's root
    };
    let parent = std::fs::canonicalize(parent).map_err(io)?;
    if target.starts_with(&parent) {
        Ok(target)
    } else {
        Err(Refusal::Outside {
            path: path.to_path_buf(),
            target,
        })
    }
}

/// What kind of thing a non-regular file is, for messages.
fn kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Opens `target` (resolved, no links left) without blocking on a FIFO and without following a
/// link swapped in since it was resolved, checks that what was opened is a regular file no larger
/// than `limit`, and reads it.
fn read_regular(named: &Path, target: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let io = |err| Refusal::Io(named.to_path_buf(), err);
    let meta = std::fs::metadata(target).map_err(io)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular(
            named.to_path_buf(),
            kind(meta.file_type()),
        ));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(target).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular(
            named.to_path_buf(),
            kind(meta.file_type()),
        ));
    }
    let too_large = |size| Refusal::TooLarge {
        path: named.to_path_buf(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the limit, in case the file grew since its size was read.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit.saturating_add(1)));
    }
    Ok(bytes)
}

/// `path` with `.` and `..` resolved by name only (no link followed, nothing read): what it names
/// if none of its parts is a symlink.
#[must_use]
pub fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> (tempfile::TempDir, PathBuf) {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("model");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(outer.path().join("secret.txt"), "TOKEN=hunter2").unwrap();
        std::fs::write(root.join("a.yaml"), "strider: 1").unwrap();
        (outer, root)
    }

    #[test]
    fn links_out_of_the_tree_are_refused() {
        let (outer, root) = tree();
        symlink(outer.path().join("secret.txt"), root.join("env.yaml")).unwrap();
        symlink("/proc/self/environ", root.join("proc.yaml")).unwrap();
        let tree = Tree::new(&root).unwrap();
        for name in ["env.yaml", "proc.yaml"] {
            let err = tree.read(&root.join(name), 1024).unwrap_err();
            assert!(matches!(err, Refusal::Outside { .. }), "{name}: {err}");
            assert!(!err.to_string().contains("hunter2"));
        }
        let err = tree.read(&root.join("../secret.txt"), 1024).unwrap_err();
        assert!(matches!(err, Refusal::Outside { .. }), "{err}");
        let walk = tree.walk(&root, |_| false, |_| true).unwrap();
        assert_eq!(walk.files, vec![root.join("a.yaml")]);
        assert_eq!(walk.skipped.len(), 2);
    }

    #[test]
    fn a_named_path_may_link_only_within_its_own_directory() {
        let (outer, root) = tree();
        symlink(outer.path().join("secret.txt"), root.join("model.yaml")).unwrap();
        symlink("a.yaml", root.join("current.yaml")).unwrap();
        symlink(outer.path(), root.join("up")).unwrap();
        let err = Tree::read_named(&root.join("model.yaml"), 1024).unwrap_err();
        assert!(matches!(err, Refusal::Outside { .. }), "{err}");
        assert!(matches!(
            Tree::new(&root.join("model.yaml")),
            Err(Refusal::Outside { .. })
        ));
        assert!(matches!(
            Tree::new(&root.join("up")),
            Err(Refusal::Outside { .. })
        ));
        assert_eq!(
            Tree::read_named(&root.join("current.yaml"), 1024).unwrap(),
            b"strider: 1"
        );
        assert_eq!(
            Tree::new(&root).unwrap().root(),
            root.canonicalize().unwrap()
        );
    }

    #[test]
    fn links_inside_the_tree_are_followed_once() {
        let (_outer, root) = tree();
        symlink(root.join("a.yaml"), root.join("b.yaml")).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        symlink(&root, root.join("sub/loop")).unwrap();
        let tree = Tree::new(&root).unwrap();
        assert_eq!(
            tree.read(&root.join("b.yaml"), 1024).unwrap(),
            b"strider: 1"
        );
        let walk = tree.walk(&root, |_| true, |_| true).unwrap();
        assert_eq!(walk.files.len(), 1, "{:?}", walk.files);
        assert!(walk.skipped.is_empty(), "{:?}", walk.skipped);
    }

    #[test]
    fn directories_not_entered_are_not_read_and_huge_trees_are_cut_short() {
        let (_outer, root) = tree();
        std::fs::create_dir_all(root.join("node_modules/lib")).unwrap();
        std::fs::write(root.join("node_modules/lib/index.js"), "x").unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/app.js"), "x").unwrap();
        let tree = Tree::new(&root).unwrap();
        let enter = |p: &Path| p.file_name().is_none_or(|n| n != "node_modules");
        let walk = tree.walk(&root, enter, |_| true).unwrap();
        assert_eq!(walk.files, [root.join("a.yaml"), root.join("src/app.js")]);
        assert!(!walk.truncated);
        let many = root.join("many");
        std::fs::create_dir(&many).unwrap();
        for i in 0..20 {
            std::fs::File::create(many.join(i.to_string())).unwrap();
        }
        let walk = tree.walk_at_most(&root, |_| true, |_| true, 10).unwrap();
        assert!(walk.truncated);
        assert!(walk.files.len() <= 10, "{:?}", walk.files);
        assert!(!tree.walk(&root, |_| true, |_| true).unwrap().truncated);
    }

    #[test]
    fn loops_and_dangling_links_are_refused() {
        let (_outer, root) = tree();
        symlink(root.join("x.yaml"), root.join("y.yaml")).unwrap();
        symlink(root.join("y.yaml"), root.join("x.yaml")).unwrap();
        let tree = Tree::new(&root).unwrap();
        assert!(matches!(
            tree.read(&root.join("x.yaml"), 1024),
            Err(Refusal::Io(..))
        ));
        let walk = tree.walk(&root, |_| true, |_| true).unwrap();
        assert_eq!(walk.files, vec![root.join("a.yaml")]);
        assert_eq!(walk.skipped.len(), 2);
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let (_outer, root) = tree();
        let fifo = root.join("fifo.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let tree = Tree::new(&root).unwrap();
        assert!(matches!(
            tree.read(&fifo, 1024),
            Err(Refusal::NotRegular(_, "a FIFO"))
        ));
        assert!(matches!(
            Tree::read_named(Path::new("/dev/zero"), 1024),
            Err(Refusal::NotRegular(_, "a device"))
        ));
        let walk = tree.walk(&root, |_| false, |_| true).unwrap();
        assert_eq!(walk.files, vec![root.join("a.yaml")]);
        assert!(matches!(walk.skipped[..], [Refusal::NotRegular(..)]));
    }

    #[test]
    fn the_limit_holds_before_reading() {
        let (_outer, root) = tree();
        std::fs::write(root.join("big.yaml"), vec![b'x'; 2048]).unwrap();
        let tree = Tree::new(&root).unwrap();
        assert!(matches!(
            tree.read(&root.join("big.yaml"), 1024),
            Err(Refusal::TooLarge { size: 2048, .. })
        ));
        assert_eq!(tree.read(&root.join("big.yaml"), 2048).unwrap().len(), 2048);
    }
}
