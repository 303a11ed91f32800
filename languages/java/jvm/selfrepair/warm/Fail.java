package selfrepair.warm;

import java.util.*;

/** A warm-up program whose tests fail: the driver's report of a failure, run once when the image is built. */
public class Fail {
    static class Solution {
        int depth(int n) {
            return n == 0 ? 0 : 1 + depth(n - 1);
        }

        int at(List<Integer> xs, int i) {
            try {
                return xs.get(i);
            } catch (IndexOutOfBoundsException e) {
                throw new IllegalStateException("no element " + i, e);
            }
        }
    }

    public static void main(String[] args) {
        Solution s = new Solution();
        List<Boolean> correct = Arrays.asList(s.depth(100) == 100);
        if (correct.contains(false)) {
            throw new AssertionError();
        }
        try {
            s.at(List.of(1), 3);
        } catch (IllegalStateException e) {
            int[] a = new int[1];
            a[0] = Integer.parseInt("12");
        }
        Object o = null;
        try {
            o.toString();
        } catch (NullPointerException e) {
            // helpful NPE messages
            e.getMessage();
        }
        s.at(new ArrayList<>(), 0);
    }
}
