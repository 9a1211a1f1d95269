
/* @expr must fail as a system call does: -1, with errno @err. */
#define ASSERT_ERRNO(expr, err) do {					\
	int __want = (err);						\
									\
	TEST_ASSERT((expr) == -1 && errno == __want,			\
		    "%s: errno %d, not %d", #expr, errno, __want);	\
} while (0)
