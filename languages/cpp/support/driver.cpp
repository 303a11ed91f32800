// The trusted test driver of a HumanEval-X C++ job (languages/cpp). It comes
// after the solution and the tests, in a struct whose name (NONCE is
// replaced by a fresh random word per job) the solution cannot know or
// reopen, so it can neither call nor overload anything here. It runs each
// suite of tests in a child process and prints the job's token last, only
// when every suite ran to its end: a suite counts as passed only when its
// child wrote the token to a pipe after the tests' main returned, which an
// exit, a signal, or any early end of the child never does. What decides
// the verdict talks to the kernel directly (see selfrepair.h), so no
// library function the solution defines or replaces can fake it.
//
// The library functions it calls are declared under names of their own
// (assembler labels), which the solution cannot overload either.
extern "C" {
int selfrepair_NONCE_fork(void) __asm__("fork");
char *selfrepair_NONCE_getenv(const char *) __asm__("getenv");
int selfrepair_NONCE_sigaction(int, const void *, void *) __asm__("sigaction");
int selfrepair_NONCE_fflush(void *) __asm__("fflush");
char *selfrepair_NONCE_demangle(const char *, char *, unsigned long *, int *) __asm__("__cxa_demangle");
const std::type_info *selfrepair_NONCE_exception_type(void) __asm__("__cxa_current_exception_type");
}

struct selfrepair_NONCE_driver {
	struct suite {
		const char *name;
		int (*run)();
	};

	// glibc's struct sigaction and stack_t.
	struct sigaction_t {
		void (*action)(int, void *, void *);
		unsigned long mask[16];
		int flags;
		void (*restorer)();
	};
	struct stack_t {
		void *sp;
		int flags;
		unsigned long size;
	};

	static inline const char *token = "";
	static inline unsigned long token_len = 0;
	static inline unsigned long stack_top = 0;
	static inline unsigned long stack_limit = 0;
	static inline char altstack[1 << 16];

	typedef selfrepair_sys sys;

	static void put(int fd, const char *s) { sys::put(fd, s); }

	static void put_hex(int fd, unsigned long v) {
		char buf[20];
		int i = sizeof buf;
		do {
			buf[--i] = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v > 0);
		buf[--i] = 'x';
		buf[--i] = '0';
		sys::put(fd, buf + i, sizeof buf - i);
	}

	static void put_int(int fd, long v) {
		char buf[24];
		int i = sizeof buf;
		bool neg = v < 0;
		unsigned long u = neg ? 0UL - (unsigned long)v : (unsigned long)v;
		do {
			buf[--i] = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
		if (neg)
			buf[--i] = '-';
		sys::put(fd, buf + i, sizeof buf - i);
	}

	// line writes "selfrepair: suite NAME TOKEN WHAT[ N]" to stderr: a line
	// the solution cannot write, since it does not know the token.
	static void line(const char *name, const char *what, long n = -1) {
		put(2, "selfrepair: suite ");
		put(2, name);
		put(2, " ");
		put(2, token);
		put(2, " ");
		put(2, what);
		if (n >= 0) {
			put(2, " ");
			put_int(2, n);
		}
		put(2, "\n");
	}

	static void flush() {
		std::cout.flush();
		selfrepair_NONCE_fflush(nullptr);
	}

	// overflowed tells a stack overflow from another bad access: the address
	// lies at the stack's limit, or just below a stack pointer that is deep.
	static bool overflowed(unsigned long addr, void *ctx) {
		if (stack_top == 0 || addr >= stack_top)
			return false;
		unsigned long depth = stack_top - addr;
		if (stack_limit != 0 && depth + (256UL << 10) >= stack_limit && depth <= stack_limit + (64UL << 20))
			return true;
		unsigned long sp = 0;
#if defined(__x86_64__)
		sp = *(unsigned long *)((char *)ctx + 160); // uc_mcontext.gregs[REG_RSP]
#elif defined(__aarch64__)
		sp = *(unsigned long *)((char *)ctx + 432); // uc_mcontext.sp
#endif
		unsigned long deep = stack_limit != 0 ? stack_limit / 2 : 4UL << 20;
		return sp != 0 && sp < stack_top && stack_top - sp >= deep && addr + (1UL << 20) >= sp && addr <= sp + 65536;
	}

	// on_fault says what a fatal signal means, in the words a shell and the
	// C library use, and ends the process with it.
	static void on_fault(int sig, void *info, void *ctx) {
		int code = ((int *)info)[2];
		unsigned long addr = *(unsigned long *)((char *)info + 16);
		switch (sig) {
		case 11:
			put(2, "Segmentation fault");
			if (overflowed(addr, ctx)) {
				put(2, " (stack overflow: the recursion is too deep or never ends)\n");
			} else if (addr < 65536) {
				put(2, " (null pointer dereference: invalid read or write at address ");
				put_hex(2, addr);
				put(2, ")\n");
			} else {
				put(2, " (invalid read or write at address ");
				put_hex(2, addr);
				put(2, ")\n");
			}
			break;
		case 8:
			put(2, "Floating point exception");
			if (code == 1)
				put(2, " (integer division by zero)");
			else if (code == 2)
				put(2, " (integer overflow)");
			put(2, "\n");
			break;
		case 7:
			put(2, "Bus error\n");
			break;
		case 4:
			put(2, "Illegal instruction\n");
			break;
		}
		sys::die(sig);
	}

	// guard reports the fatal signals the solution has left alone, on a stack
	// of their own (a stack overflow leaves none).
	static void guard() {
		stack_t ss = {altstack, 0, sizeof altstack};
		sys::call(sys::sigaltstack, (long)&ss, 0);
		sigaction_t act = {};
		act.action = on_fault;
		act.flags = 4 | 0x08000000; // SA_SIGINFO | SA_ONSTACK
		for (int sig : {11, 8, 7, 4}) {
			sigaction_t old = {};
			if (selfrepair_NONCE_sigaction(sig, nullptr, &old) == 0 && old.action == nullptr)
				selfrepair_NONCE_sigaction(sig, &act, nullptr);
		}
	}

	static const char *type_name(const std::type_info *ti) {
		if (ti == nullptr)
			return "unknown";
		const char *name = ti->name();
		if (*name == '*')
			name++;
		int status = -1;
		char *d = selfrepair_NONCE_demangle(name, nullptr, nullptr, &status);
		return status == 0 && d != nullptr ? d : name;
	}

	// uncaught reports an exception the tests did not catch as libstdc++'s
	// terminate handler does.
	[[noreturn]] static void uncaught(const char *type, const char *what) {
		put(2, "terminate called after throwing an instance of '");
		put(2, type);
		put(2, "'\n");
		if (what != nullptr) {
			put(2, "  what():  ");
			put(2, what);
			put(2, "\n");
		}
		sys::die(6);
	}

	[[noreturn]] static void child(const suite &s, int done) {
		// A process the solution forks inherits the pipe; only this one may
		// report the suite done, or a solution that forks and exits could
		// have its copy finish the tests in the background and win a race
		// with the parent's read.
		const long self = sys::call(sys::getpid);
		guard();
		try {
			s.run();
		} catch (const std::exception &e) {
			uncaught(type_name(&typeid(e)), e.what());
		} catch (...) {
			uncaught(type_name(selfrepair_NONCE_exception_type()), nullptr);
		}
		flush();
		if (sys::call(sys::getpid) != self)
			for (;;)
				sys::call(sys::exit_group, 1);
		sys::put(done, token, token_len);
		for (;;)
			sys::call(sys::exit_group, 0);
	}

	static bool same(const char *a, const char *b, unsigned long n) {
		for (unsigned long i = 0; i < n; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}

	[[noreturn]] static void run(const suite *suites, int n) {
		if (const char *t = selfrepair_NONCE_getenv("SELFREPAIR_TOKEN"))
			token = t;
		token_len = sys::length(token);
		stack_top = (unsigned long)__builtin_frame_address(0);
		unsigned long rl[2] = {0, 0};
		if (sys::call(sys::prlimit64, 0, 3 /* RLIMIT_STACK */, 0, (long)rl) == 0 && rl[0] != ~0UL)
			stack_limit = rl[0];
		bool all = n > 0;
		for (int i = 0; i < n; i++) {
			line(suites[i].name, "start");
			flush();
			int fds[2] = {-1, -1};
			if (sys::call(sys::pipe2, (long)fds, 02000000 | 04000 /* O_CLOEXEC | O_NONBLOCK */) != 0) {
				line(suites[i].name, "error");
				all = false;
				continue;
			}
			int pid = selfrepair_NONCE_fork();
			if (pid == 0) {
				sys::call(sys::close, fds[0]);
				child(suites[i], fds[1]);
			}
			sys::call(sys::close, fds[1]);
			int status = -1;
			long w = -1;
			if (pid > 0) {
				do
					w = sys::call(sys::wait4, pid, (long)&status, 0, 0);
				while (w == -4); // EINTR
			}
			char buf[80] = {};
			long got = sys::call(sys::read, fds[0], (long)buf, sizeof buf);
			sys::call(sys::close, fds[0]);
			bool ok = pid > 0 && w == pid && status == 0 && got == (long)token_len && same(buf, token, token_len);
			if (ok)
				line(suites[i].name, "passed");
			else if (pid <= 0 || w != pid)
				line(suites[i].name, "lost");
			else if ((status & 0x7f) == 0)
				line(suites[i].name, "exit", (status >> 8) & 0xff);
			else
				line(suites[i].name, "signal", status & 0x7f);
			all = all && ok;
		}
		if (all) {
			put(1, "selfrepair: tests completed ");
			put(1, token);
			put(1, "\n");
		}
		for (;;)
			sys::call(sys::exit_group, all ? 0 : 1);
	}
};
