package selfrepair;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import com.sun.tools.javac.api.BasicJavacTask;
import com.sun.tools.javac.util.Context;
import com.sun.tools.javac.util.JCDiagnostic;
import com.sun.tools.javac.util.Log;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * javac, called through its API: it prints what the javac command prints
 * (the same formatter), and with --codes also a last line per error with
 * its diagnostic code and position; with --tests it fails a program one of
 * whose top-level types hides from the tests a JDK type they name (a
 * solution's class Arrays or Math would otherwise replace java.util.Arrays
 * or java.lang.Math in the tests' code).
 *
 * <p>Usage: {@code Compile [--codes] [--tests FILE:LINE,...] [--warm] -- JAVAC-ARGS}: in
 * FILE, the lines from LINE on are tests, those before are the solution's.
 * --warm compiles each source file apart, in this one JVM (for the image's
 * class-data archive), and always succeeds.
 */
public final class Compile {
    private Compile() {}

    /** A diagnostic printed, for the codes lines. */
    private record Coded(String code, String file, long line, long column) {}

    public static void main(String[] args) {
        boolean codes = false, warm = false;
        Map<String, Long> tests = new LinkedHashMap<>();
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--codes" -> codes = true;
                case "--warm" -> warm = true;
                case "--tests" -> {
                    for (String spec : args[++i].split(",")) {
                        int c = spec.lastIndexOf(':');
                        tests.put(spec.substring(0, c), Long.parseLong(spec.substring(c + 1)));
                    }
                }
                default -> {
                    System.err.println("selfrepair.Compile: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        List<String> options = new ArrayList<>(), files = new ArrayList<>();
        for (i++; i < args.length; i++) {
            (args[i].endsWith(".java") ? files : options).add(args[i]);
        }
        if (warm) {
            for (String f : files) {
                // Every line a test's: the check of hidden types runs too.
                compile(options, List.of(f), false, Map.of(f, 1L), new PrintStream(java.io.OutputStream.nullOutputStream()));
            }
            System.exit(0);
        }
        System.exit(compile(options, files, codes, tests, System.err));
    }

    /** Compiles files; returns javac's exit status (0, 1 for errors, 2 for bad options, 4 for a crash). */
    private static int compile(List<String> options, List<String> files, boolean codes, Map<String, Long> tests,
            PrintStream out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null);
        List<Coded> errors = new ArrayList<>();
        int[] warnings = {0};
        Context[] context = new Context[1];
        DiagnosticListener<JavaFileObject> listener = d -> {
            JCDiagnostic jd = unwrap(d);
            String text = jd != null && context[0] != null
                    ? Log.instance(context[0]).getDiagnosticFormatter().format(jd, Locale.getDefault())
                    : d.toString();
            out.println(text);
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(new Coded(d.getCode(), d.getSource() == null ? "" : d.getSource().getName(),
                        d.getLineNumber(), d.getColumnNumber()));
            } else if (d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
                warnings[0]++;
            }
        };
        List<CompilationUnitTree> units = new ArrayList<>();
        List<String> hides = new ArrayList<>();
        int status;
        try {
            JavacTask task = (JavacTask) javac.getTask(null, fm, listener, options, null,
                    fm.getJavaFileObjectsFromStrings(files));
            context[0] = ((BasicJavacTask) task).getContext();
            task.addTaskListener(new TaskListener() {
                private boolean checked;

                @Override
                public void finished(TaskEvent e) {
                    if (e.getKind() == TaskEvent.Kind.PARSE) {
                        units.add(e.getCompilationUnit());
                    } else if (e.getKind() == TaskEvent.Kind.ENTER && !checked && !tests.isEmpty()) {
                        // Every unit is parsed and entered: the names the
                        // tests use can be looked up.
                        checked = true;
                        hides.addAll(hidden(units, tests, task.getElements(), Trees.instance(task)));
                    }
                }
            });
            status = task.call() ? 0 : 1;
            if (status == 0) {
                for (String msg : hides) {
                    out.println(msg);
                    errors.add(new Coded("selfrepair.hides.jdk.type", msg.substring(0, msg.indexOf(':')),
                            Long.parseLong(msg.split(":")[1]), 1));
                    status = 1;
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            out.println("error: " + e.getMessage());
            errors.add(new Coded("compiler.err.bad.usage", "", 0, 0));
            status = 2;
        } catch (Throwable t) {
            // javac itself failed (a stack overflow on deeply nested code, say).
            out.println("An exception has occurred in the compiler: " + t);
            errors.add(new Coded("compiler.crash", "", 0, 0));
            status = 4;
        }
        if (!errors.isEmpty()) {
            out.println(errors.size() == 1 ? "1 error" : errors.size() + " errors");
        }
        if (warnings[0] > 0) {
            out.println(warnings[0] == 1 ? "1 warning" : warnings[0] + " warnings");
        }
        if (codes) {
            for (Coded c : errors) {
                out.println("selfrepair: error " + c.code() + " " + c.file() + ":" + c.line() + ":" + c.column());
            }
        }
        out.flush();
        return status;
    }

    /** The javac diagnostic behind a diagnostic given to a listener (which wraps it). */
    private static JCDiagnostic unwrap(Diagnostic<? extends JavaFileObject> d) {
        if (d instanceof JCDiagnostic jd) {
            return jd;
        }
        try {
            Field f = d.getClass().getDeclaredField("d");
            f.setAccessible(true);
            return f.get(d) instanceof JCDiagnostic jd ? jd : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The errors for top-level types of the solution (declared before the
     * tests start in their file) whose simple name the tests use where a
     * JDK type of that name would otherwise be meant: one in java.lang, or
     * in a package the tests' file imports on demand.
     */
    private static List<String> hidden(List<CompilationUnitTree> units, Map<String, Long> tests, Elements elements,
            Trees trees) {
        Map<String, String> declared = new LinkedHashMap<>(); // name -> "file:line"
        Set<String> used = new HashSet<>();
        Map<String, Set<String>> packages = new LinkedHashMap<>(); // test file -> on-demand packages
        for (CompilationUnitTree cu : units) {
            String file = cu.getSourceFile().getName();
            Long first = tests.get(file);
            long from = first == null ? Long.MAX_VALUE : first;
            for (Tree t : cu.getTypeDecls()) {
                if (t instanceof ClassTree ct) {
                    long line = cu.getLineMap().getLineNumber(trees.getSourcePositions().getStartPosition(cu, ct));
                    if (line < from) {
                        declared.putIfAbsent(ct.getSimpleName().toString(), file + ":" + line);
                    } else {
                        new TreeScanner<Void, Void>() {
                            @Override
                            public Void visitIdentifier(IdentifierTree id, Void v) {
                                used.add(id.getName().toString());
                                return null;
                            }
                        }.scan(ct, null);
                    }
                }
            }
            if (first != null) {
                Set<String> pkgs = packages.computeIfAbsent(file, k -> new HashSet<>());
                pkgs.add("java.lang");
                for (ImportTree imp : cu.getImports()) {
                    String q = imp.getQualifiedIdentifier().toString();
                    if (!imp.isStatic() && q.endsWith(".*")) {
                        pkgs.add(q.substring(0, q.length() - 2));
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> d : declared.entrySet()) {
            if (!used.contains(d.getKey())) {
                continue;
            }
            for (Set<String> pkgs : packages.values()) {
                String hit = null;
                for (String p : pkgs) {
                    TypeElement te = elements.getTypeElement(p + "." + d.getKey());
                    if (te != null) {
                        hit = p + "." + d.getKey();
                        break;
                    }
                }
                if (hit != null) {
                    out.add(d.getValue() + ": error: type " + d.getKey() + " of the solution hides " + hit
                            + ", which the tests use");
                    break;
                }
            }
        }
        return out;
    }
}
