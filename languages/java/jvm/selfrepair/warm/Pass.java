package selfrepair.warm;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.*;
import java.util.function.*;
import java.util.regex.*;
import java.util.stream.*;

/** A warm-up program: what HumanEval-X's solutions and tests use, run once when the image is built. */
public class Pass {
    static class Solution {
        public List<Integer> sortEven(List<Integer> l) {
            List<Integer> even = new ArrayList<>();
            for (int i = 0; i < l.size(); i += 2) {
                even.add(l.get(i));
            }
            Collections.sort(even);
            List<Integer> result = new ArrayList<>(l);
            for (int i = 0; i < l.size(); i += 2) {
                result.set(i, even.get(i / 2));
            }
            return result;
        }

        public String words(String s) {
            StringBuilder sb = new StringBuilder();
            for (String w : s.split(" ")) {
                if (!w.isEmpty() && Character.isLetter(w.charAt(0))) {
                    sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1).toLowerCase()).append(' ');
                }
            }
            return sb.toString().trim();
        }

        public Optional<String> md5(String text) throws Exception {
            if (text.isEmpty()) {
                return Optional.empty();
            }
            String h = new BigInteger(1, MessageDigest.getInstance("MD5").digest(text.getBytes())).toString(16);
            return Optional.of("0".repeat(32 - h.length()) + h);
        }

        public int count(List<Object> xs) {
            return xs.stream().filter(x -> x instanceof Integer p && p > 0).map(x -> (Integer) x).reduce(0, Integer::sum);
        }

        public Map<String, Integer> histogram(String s) {
            Map<String, Integer> m = new HashMap<>();
            for (String w : s.split("\\s+")) {
                m.merge(w, 1, Integer::sum);
            }
            return new TreeMap<>(m);
        }
    }

    public static void main(String[] args) throws Exception {
        Solution s = new Solution();
        Random rand = new Random(42);
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            xs.add(rand.nextInt(100) - 50);
        }
        List<Boolean> correct = Arrays.asList(
                s.sortEven(new ArrayList<>(Arrays.asList(5, 6, 3, 4))).equals(Arrays.asList(3, 6, 5, 4)),
                s.sortEven(xs).size() == 50,
                s.words("hello world 42").equals("Hello World"),
                s.md5("Hello world").get().equals("3e25960a79dbc69b674cd4ec67a72c62"),
                s.md5("").isEmpty(),
                s.count(List.of(1, 2.5, "x", -3, 4)) == 5,
                s.histogram("a b b").equals(Map.of("a", 1, "b", 2)),
                Objects.equals(String.join(",", List.of("a", "b")), "a,b"),
                Math.abs(Math.sqrt(16) - 4) < 1e-9 && Math.pow(2, 10) == 1024 && Math.floorMod(-1, 3) == 2,
                Integer.parseInt("-12") == -12 && Integer.toBinaryString(5).equals("101") && Long.parseLong("7") == 7L,
                IntStream.range(0, 10).boxed().collect(Collectors.toList()).size() == 10,
                Stream.of("b", "a").sorted().collect(Collectors.joining()).equals("ab"),
                Pattern.compile("[0-9]+").matcher("ab12").find() && "a1b2".replaceAll("[0-9]", "").equals("ab"),
                Arrays.stream(new int[] {3, 1, 2}).sorted().boxed().map(String::valueOf).collect(Collectors.joining()).equals("123"),
                new HashSet<>(Arrays.asList(1, 2, 2)).size() == 2 && new TreeSet<>(List.of(3, 1)).first() == 1,
                new ArrayDeque<>(List.of(1, 2)).peekLast() == 2 && new PriorityQueue<>(List.of(5, 1)).poll() == 1,
                String.format("%.2f", 1.005).length() == 4 && String.valueOf('c').equals("c") && "abc".chars().sum() == 294,
                Collections.max(List.of(1, 9, 3)) == 9 && Collections.frequency(List.of(1, 1), 1) == 2,
                new LinkedList<>(List.of(1)).getFirst() == 1 && Character.isDigit('7') && Character.getNumericValue('7') == 7,
                ((Function<Integer, Integer>) x -> x + 1).apply(1) == 2 && switch (xs.size()) { case 50 -> true; default -> false; }
        );
        if (correct.contains(false)) {
            throw new AssertionError();
        }
        assert correct.size() == 20;
        System.out.println(xs.subList(0, 3) + " " + Arrays.toString(new int[] {1}) + " " + Double.compare(1.0, 2.0));
    }
}
