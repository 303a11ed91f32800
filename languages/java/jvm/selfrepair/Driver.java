package selfrepair;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trusted test driver of a Java job: it runs each suite's tests (the
 * main method of a class: HumanEval-X's class Main) in this JVM, one after
 * the other, and reports on stdout, on lines that carry the job's token
 * (which the solution does not know), whether each passed; once every
 * suite has passed it prints the completion line, last, and halts.
 *
 * <p>Usage: {@code Driver [program=FILE:FIRST:LAST] NAME=CLASS:LINE...},
 * the token in $SELFREPAIR_TOKEN. The program spec and each suite's LINE
 * (where its tests start in its file) are for the reader of the output;
 * the driver only passes them on.
 *
 * <p>A solution that ends the JVM early (System.exit, Runtime.halt, a
 * shutdown hook, a signal) leaves no completion line, and so fails; one
 * that calls the driver itself ends the run. What this does not cover is
 * a solution that reads the token (from its environment) and prints the
 * lines itself: deliberate forgery from inside the tests' process.
 */
public final class Driver {
    // Taken before any class of the solution is loaded: a solution that
    // replaces System.out does not silence the driver.
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    /** Frames of a stack trace kept in a report (the rest are counted). */
    private static final int HEAD_FRAMES = 48, TAIL_FRAMES = 16;

    private Driver() {}

    public static void main(String[] args) {
        // Only the java launcher starts the driver, and then main is the one
        // frame of its thread: a solution that calls main (by reflection,
        // from a thread of its own) to print the completion line has frames
        // below it, and ends the run instead.
        if (StackWalker.getInstance().walk(frames -> frames.count()) != 1) {
            Runtime.getRuntime().halt(3);
        }
        String token = System.getenv("SELFREPAIR_TOKEN");
        if (token == null || token.isEmpty()) {
            ERR.println("selfrepair: the driver has no token");
            Runtime.getRuntime().halt(2);
        }
        boolean all = true;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0 || arg.startsWith("program=")) {
                continue;
            }
            String suite = arg.substring(0, eq);
            String spec = arg.substring(eq + 1);
            int colon = spec.indexOf(':');
            String className = colon < 0 ? spec : spec.substring(0, colon);
            String failure = run(className);
            System.out.flush();
            System.err.flush();
            if (failure == null) {
                OUT.print("selfrepair: suite " + suite + " passed " + token + "\n");
            } else {
                all = false;
                OUT.print("selfrepair: suite " + suite + " failed " + token + " " + failure + "\n");
            }
            OUT.flush();
        }
        if (all) {
            OUT.print("selfrepair: tests completed " + token + "\n");
        }
        OUT.flush();
        ERR.flush();
        // Halt: no shutdown hook of the solution runs after the verdict.
        Runtime.getRuntime().halt(all ? 0 : 1);
    }

    /** Runs a suite's main method; returns null on success, else the failure's report (JSON). */
    private static String run(String className) {
        Method main;
        try {
            Class<?> c = Class.forName(className, false, Driver.class.getClassLoader());
            main = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodError(className + ".main(String[]) is not static");
            }
            main.setAccessible(true);
        } catch (Throwable t) {
            return report(t, className);
        }
        try {
            main.invoke(null, (Object) new String[0]);
            return null;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            return report(t, className);
        } catch (Throwable t) {
            // ExceptionInInitializerError from the class's static initializer.
            return report(t, className);
        }
    }

    /**
     * Prints t on stderr as the JVM would print an exception that ends
     * main ("Exception in thread "main" ..."), without the driver's frames,
     * and returns its report.
     */
    private static String report(Throwable t, String suiteClass) {
        StringBuilder trace = new StringBuilder("Exception in thread \"main\" ");
        try {
            printTrace(t, suiteClass, trace, null, "", new IdentityHashMap<>());
        } catch (Throwable e) {
            trace.append(t.getClass().getName()).append("\n");
        }
        ERR.print(trace);
        ERR.flush();
        Throwable root = t;
        if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
            root = t.getCause(); // the error of a static initializer
        }
        StringBuilder b = new StringBuilder("{\"type\":");
        quote(b, root.getClass().getName());
        b.append(",\"bases\":[");
        int n = 0;
        for (Class<?> c = root.getClass().getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (n++ > 0) {
                b.append(',');
            }
            quote(b, c.getName());
        }
        b.append("],\"message\":");
        quote(b, message(root));
        b.append(",\"frames\":[");
        StackTraceElement[] frames = trimmed(root, suiteClass);
        List<StackTraceElement> kept = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            if (i < HEAD_FRAMES || i >= frames.length - TAIL_FRAMES) {
                kept.add(frames[i]);
            }
        }
        for (int i = 0; i < kept.size(); i++) {
            StackTraceElement f = kept.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"class\":");
            quote(b, f.getClassName());
            b.append(",\"method\":");
            quote(b, f.getMethodName());
            b.append(",\"file\":");
            quote(b, f.getFileName() == null ? "" : f.getFileName());
            b.append(",\"line\":").append(f.getLineNumber()).append('}');
        }
        b.append("],\"trace\":");
        quote(b, trace.length() > 8192 ? trace.substring(0, 8192) + "...\n" : trace.toString());
        return b.append('}').toString();
    }

    /** The message of t, or "" (a solution's exception may throw from getMessage). */
    private static String message(Throwable t) {
        try {
            String m = t.getMessage();
            return m == null ? "" : m;
        } catch (Throwable e) {
            return "";
        }
    }

    /** t's frames without those below the suite's main method (reflection and the driver). */
    private static StackTraceElement[] trimmed(Throwable t, String suiteClass) {
        StackTraceElement[] st = t.getStackTrace();
        int end = st.length;
        for (int i = st.length - 1; i >= 0; i--) {
            if (st[i].getClassName().equals(suiteClass) && st[i].getMethodName().equals("main")) {
                end = i + 1;
                break;
            }
            if (st[i].getClassName().equals(Driver.class.getName())) {
                end = i; // thrown before main ran: keep the frames above the driver
            }
        }
        StackTraceElement[] out = new StackTraceElement[end];
        System.arraycopy(st, 0, out, 0, end);
        return out;
    }

    /** Throwable.printStackTrace's format, with the frames trimmed and a long stack shortened. */
    private static void printTrace(Throwable t, String suiteClass, StringBuilder b, StackTraceElement[] enclosing,
            String caption, Map<Throwable, Boolean> seen) {
        if (seen.put(t, Boolean.TRUE) != null) {
            b.append(caption).append("[CIRCULAR REFERENCE: ").append(t.getClass().getName()).append("]\n");
            return;
        }
        String s;
        try {
            s = t.toString();
        } catch (Throwable e) {
            s = t.getClass().getName();
        }
        b.append(caption).append(s).append('\n');
        StackTraceElement[] st = trimmed(t, suiteClass);
        int m = st.length - 1;
        if (enclosing != null) {
            for (int n = enclosing.length - 1; m >= 0 && n >= 0 && st[m].equals(enclosing[n]); m--, n--) {
            }
        }
        int shown = m + 1;
        for (int i = 0; i < shown; i++) {
            if (shown > HEAD_FRAMES + TAIL_FRAMES && i == HEAD_FRAMES) {
                b.append("\t... ").append(shown - HEAD_FRAMES - TAIL_FRAMES).append(" more frames like these\n");
                i = shown - TAIL_FRAMES;
            }
            b.append("\tat ").append(st[i]).append('\n');
        }
        if (shown < st.length) {
            b.append("\t... ").append(st.length - shown).append(" more\n");
        }
        Throwable cause;
        try {
            cause = t.getCause();
        } catch (Throwable e) {
            cause = null;
        }
        if (cause != null && cause != t) {
            printTrace(cause, suiteClass, b, st, "Caused by: ", seen);
        }
    }

    /** Appends s as a JSON string, in ASCII whatever the output's encoding. */
    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
