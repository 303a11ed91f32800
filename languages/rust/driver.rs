//! selfrepair's test driver for Rust: built into the sandbox image as an
//! rlib (selfrepair_driver) and linked into every test program, whose
//! generated main calls it. It runs each test function the way libtest
//! does (in a thread of its own, named after the test, with libtest's
//! stack size) and writes what happened to stderr for the classifier. It
//! never prints the completion token: only the generated main does, after
//! the last test passed, so no call the solution makes into this crate
//! can print it.

use std::any::Any;
use std::fmt::Debug;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// One test function.
pub struct Test {
    pub suite: &'static str,
    pub path: &'static str,
    pub run: fn(),
    /// Some(expected) for #[should_panic]: the panic's message must
    /// contain expected ("" for any panic).
    pub should_panic: Option<&'static str>,
    pub ignore: bool,
}

/// What a test function returns: (), or a Result whose Err fails it.
pub trait Report {
    fn check(self);
}

impl Report for () {
    fn check(self) {}
}

impl<E: Debug> Report for Result<(), E> {
    fn check(self) {
        if let Err(e) = self {
            eprintln!("Error: {:?}", e);
            panic!("the test returned a termination value with a non-zero status code (1) which indicates a failure");
        }
    }
}

static FIRST_PANIC: AtomicBool = AtomicBool::new(true);

fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn payload_text(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}

fn record(thread: &str, message: &str, file: &str, line: u32, column: u32) {
    let rec = format!(
        "\nselfrepair-panic {{\"thread\":{},\"message\":{},\"file\":{},\"line\":{},\"column\":{}}}\n",
        json(thread),
        json(message),
        json(file),
        line,
        column
    );
    let _ = std::io::stderr().write_all(rec.as_bytes());
}

/// Installs the panic hook: a record of each panic, then std's own report
/// (with the backtrace RUST_BACKTRACE asks for) for the first panic, and
/// std's one-line report for later ones, which keeps a solution that
/// catches panics in a loop as fast as under libtest.
pub fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = payload_text(info.payload());
        let current = std::thread::current();
        let name = current.name().unwrap_or("<unnamed>");
        let (file, line, column) = match info.location() {
            Some(l) => (l.file(), l.line(), l.column()),
            None => ("", 0, 0),
        };
        record(name, &message, file, line, column);
        if FIRST_PANIC.swap(false, Ordering::SeqCst) {
            default(info);
        } else {
            eprintln!("thread '{}' panicked at '{}', {}:{}:{}", name, message, file, line, column);
        }
    }));
}

/// Runs one test; true when it passed.
pub fn run(t: &Test) -> bool {
    if t.ignore {
        eprintln!("\nselfrepair-test {} {} ignored", t.suite, t.path);
        return true;
    }
    // Each marker starts a line of its own, whatever the solution wrote.
    eprintln!("\nselfrepair-test {} {}", t.suite, t.path);
    let f = t.run;
    let result = match std::thread::Builder::new().name(t.path.to_string()).spawn(f) {
        Ok(handle) => handle.join(),
        // As libtest: when no thread can be made, run it here.
        Err(_) => std::panic::catch_unwind(f),
    };
    let passed = match (result, t.should_panic) {
        (Ok(()), None) => true,
        (Err(_), None) => false,
        (Ok(()), Some(_)) => {
            record(t.path, "test did not panic as expected", "", 0, 0);
            false
        }
        (Err(p), Some(expected)) => {
            let text = payload_text(&*p);
            let ok = text.contains(expected);
            if !ok {
                let msg = format!(
                    "panic did not contain expected string\n      panic message: `{:?}`,\n expected substring: `{:?}`",
                    text, expected
                );
                record(t.path, &msg, "", 0, 0);
            }
            ok
        }
    };
    if !passed {
        eprintln!("\nselfrepair-failed {} {}", t.suite, t.path);
    }
    passed
}
