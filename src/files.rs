//! Files a person names (the bank's YAML, the paper and its anchors, the config file, a
//! backup to restore): only regular files, and links to them, are read.
//!
//! Invariant: nothing the bot or a command reads can make it wait for ever. Opening a FIFO
//! for reading blocks until someone writes to it, and a device or a socket is no text file
//! either, so anything else — a FIFO, a socket, a device, a folder, a link to one of them, a
//! link to nothing — is refused at once, with a sentence that says what stands at the path.

use std::io;
use std::path::Path;

/// What stands at `path` (links followed) when it is not a regular file: "a FIFO (named
/// pipe)", "a socket", "a device", "a folder", "a link to nothing"…; `None` for a regular
/// file (or a link to one). A path that does not exist or cannot be looked at says so.
pub fn not_regular(path: &Path) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() => {
            let to = std::fs::read_link(path).map(|t| format!(" (-> {})", t.display())).unwrap_or_default();
            return Some(format!("a link to nothing{to}"));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some("nothing: there is no such file".into()),
        Err(e) => return Some(format!("a path that cannot be looked at ({e})")),
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    let what = if kind.is_dir() {
        "a folder"
    } else if is_fifo(&kind) {
        "a FIFO (named pipe)"
    } else if is_socket(&kind) {
        "a socket"
    } else if is_device(&kind) {
        "a device"
    } else {
        "not a regular file"
    };
    let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    Some(if linked { format!("a link to {what}") } else { what.to_string() })
}

#[cfg(unix)]
fn is_fifo(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(kind)
}
#[cfg(unix)]
fn is_socket(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_socket(kind)
}
#[cfg(unix)]
fn is_device(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_block_device() || kind.is_char_device()
}
#[cfg(not(unix))]
fn is_fifo(_: &std::fs::FileType) -> bool {
    false
}
#[cfg(not(unix))]
fn is_socket(_: &std::fs::FileType) -> bool {
    false
}
#[cfg(not(unix))]
fn is_device(_: &std::fs::FileType) -> bool {
    false
}

/// Reads `path` as UTF-8 text if it is a regular file (or a link to one); anything else is an
/// `InvalidInput` error at once ("it is a FIFO (named pipe), not a regular file"), never a wait.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    match not_regular(path) {
        None => std::fs::read_to_string(path),
        Some(what) if what.starts_with("nothing") => Err(io::Error::new(io::ErrorKind::NotFound, "there is no such file")),
        Some(what) => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}, not a regular file"))),
    }
}
