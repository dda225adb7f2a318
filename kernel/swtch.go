package kernel

// swtch stores the running thread's kernel stack pointer into *from and
// resumes the thread whose saved stack pointer is to (swtch_amd64.s); the
// scheduler (sched.go) calls it.
func swtch(from *uint64, to uint64)
