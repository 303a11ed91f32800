import java.util.*;

// A warm-up program that does not compile: javac's type errors, run once
// when the image is built.
class Solution {
    public List<Integer> f(List<Integer> xs, String s) {
        boolean b = xs.size() + s;
        int n = s.length;
        String t = xs.get(0);
        return xs.stream().map(x -> x + 1);
    }
}
