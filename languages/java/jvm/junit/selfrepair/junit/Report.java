package selfrepair.junit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.internal.TextListener;
import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.Request;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/**
 * JUnitCore's command line (class names as arguments, its text on standard
 * output, exit status 0 when every test passed) that also writes each test's
 * result as JUnit XML to the file the system property selfrepair.junit.report
 * names. Repository mode runs it in place of org.junit.runner.JUnitCore: the
 * printed text is the program's to forge, the report is written only when
 * the run ends normally (a test that exits the JVM leaves none).
 *
 * The jar is also a Java agent that does nothing: -javaagent puts it on the
 * class path of any java command line, beside the user's own.
 */
public final class Report extends RunListener {
    /** A test's result. */
    private static final class Outcome {
        final String suite, name;
        long start = System.nanoTime();
        double seconds;
        String kind; // null (passed), "failure", "error" or "skipped"
        String type, message, trace;

        Outcome(String suite, String name) {
            this.suite = suite;
            this.name = name;
        }
    }

    private final Map<String, Outcome> outcomes = new LinkedHashMap<>();

    public static void premain(String args) {
    }

    public static void main(String[] args) {
        String report = System.getProperty("selfrepair.junit.report");
        PrintStream out = System.out;
        out.println("JUnit version " + junit.runner.Version.id());
        Report r = new Report();
        List<Class<?>> classes = new ArrayList<>();
        for (String a : args) {
            try {
                classes.add(Class.forName(a));
            } catch (ClassNotFoundException e) {
                out.println("Could not find class: " + a);
                Outcome o = r.outcome(a, "initializationError");
                o.kind = "error";
                o.type = "java.lang.ClassNotFoundException";
                o.message = a;
                o.trace = "java.lang.ClassNotFoundException: " + a;
            }
        }
        JUnitCore core = new JUnitCore();
        core.addListener(new TextListener(out));
        core.addListener(r);
        Result res = core.run(Request.classes(classes.toArray(new Class<?>[0])));
        boolean ok = res.wasSuccessful() && classes.size() == args.length;
        if (report != null) {
            try {
                r.write(Paths.get(report));
            } catch (IOException e) {
                System.err.println("selfrepair: the JUnit report: " + e);
                System.exit(2);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private Outcome outcome(String suite, String name) {
        String key = suite + "\u0000" + name;
        return outcomes.computeIfAbsent(key, k -> new Outcome(suite, name));
    }

    private Outcome outcome(Description d) {
        String name = d.getMethodName();
        return outcome(d.getClassName(), name == null ? "classMethod" : name);
    }

    @Override
    public void testStarted(Description d) {
        outcome(d).start = System.nanoTime();
    }

    @Override
    public void testFinished(Description d) {
        Outcome o = outcome(d);
        o.seconds = (System.nanoTime() - o.start) / 1e9;
    }

    @Override
    public void testFailure(Failure f) {
        set(outcome(f.getDescription()), f, f.getException() instanceof AssertionError ? "failure" : "error");
    }

    @Override
    public void testAssumptionFailure(Failure f) {
        set(outcome(f.getDescription()), f, "skipped");
    }

    @Override
    public void testIgnored(Description d) {
        Outcome o = outcome(d);
        o.kind = "skipped";
        org.junit.Ignore ig = d.getAnnotation(org.junit.Ignore.class);
        o.message = ig == null ? "" : ig.value();
    }

    private static void set(Outcome o, Failure f, String kind) {
        if (o.kind != null && !"skipped".equals(o.kind)) {
            return; // the first failure of a test is its result
        }
        o.kind = kind;
        Throwable e = f.getException();
        o.type = e == null ? "" : e.getClass().getName();
        o.message = f.getMessage() == null ? "" : f.getMessage();
        o.trace = f.getTrace();
    }

    /** write adds this run's tests to the report, as a testsuite of its own. */
    private void write(Path p) throws IOException {
        StringBuilder b = new StringBuilder();
        String prev = Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        int end = prev.lastIndexOf("</testsuites>");
        if (end >= 0) {
            b.append(prev, 0, end);
        } else {
            b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        }
        int failures = 0, errors = 0, skipped = 0;
        for (Outcome o : outcomes.values()) {
            if ("failure".equals(o.kind)) failures++;
            if ("error".equals(o.kind)) errors++;
            if ("skipped".equals(o.kind)) skipped++;
        }
        b.append("<testsuite name=\"JUnitCore\" tests=\"").append(outcomes.size()).append("\" failures=\"").append(failures)
                .append("\" errors=\"").append(errors).append("\" skipped=\"").append(skipped).append("\">\n");
        for (Outcome o : outcomes.values()) {
            b.append("<testcase classname=\"").append(esc(o.suite)).append("\" name=\"").append(esc(o.name))
                    .append("\" time=\"").append(String.format("%.3f", o.seconds)).append("\"");
            if (o.kind == null) {
                b.append("/>\n");
                continue;
            }
            b.append(">");
            if ("skipped".equals(o.kind)) {
                b.append("<skipped message=\"").append(esc(o.message)).append("\"/>");
            } else {
                b.append("<").append(o.kind).append(" message=\"").append(esc(o.message)).append("\" type=\"").append(esc(o.type))
                        .append("\">").append(esc(o.trace)).append("</").append(o.kind).append(">");
            }
            b.append("</testcase>\n");
        }
        b.append("</testsuite>\n</testsuites>\n");
        Path tmp = p.resolveSibling(p.getFileName() + ".part");
        Files.write(tmp, b.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** esc makes s XML text: markup escaped, characters XML 1.0 cannot hold replaced. */
    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '"': b.append("&quot;"); break;
                default:
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.toString();
    }
}
