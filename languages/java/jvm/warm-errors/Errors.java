import java.util.*;

// A warm-up program that does not compile: javac's error paths, run once
// when the image is built.
class Solution {
    public int f(List<Integer> xs) {
        int y = "a";
        List raw = new ArrayList();
        return foo(xs) + xs.size() + z + raw.size()
    }

    public String g(String s) {
        int n;
        return s.length() + n;
    }
}
