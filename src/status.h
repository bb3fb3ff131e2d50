/* Exit status shared by every kplan tool. Defined once here, documented in README.md. */
#ifndef KP_STATUS_H
#define KP_STATUS_H

enum kp_exit {
	KP_EXIT_OK = 0,      /* success: the data is valid / the work is done */
	KP_EXIT_INVALID = 1, /* the data is invalid: findings were reported */
	KP_EXIT_USAGE = 2,   /* bad command line or bad schema/package given by the user */
	KP_EXIT_IO = 3,      /* local I/O or system error (unreadable input, full disk, ...) */
	KP_EXIT_NET = 4      /* network or portal error */
};

#endif
