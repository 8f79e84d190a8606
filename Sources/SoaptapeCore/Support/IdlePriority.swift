#if canImport(Glibc)
import Glibc
#endif

/// Work that must never slow a proxy's clients (the live check, shadow copies) runs on threads that get only CPU
/// nothing else wants: Linux's `SCHED_IDLE`.
public enum IdlePriority {
    /// Puts the calling thread at idle priority; elsewhere than Linux it does nothing.
    public static func applyToThisThread() {
        #if os(Linux)
        var parameters = sched_param()
        _ = pthread_setschedparam(pthread_self(), Int32(5) /* SCHED_IDLE */, &parameters)
        #endif
    }
}
