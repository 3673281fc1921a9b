import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One child process started in its own process group, so that stopping it also stops anything
/// it forked (model servers love to fork), and a Ctrl-C in the terminal reaches `athena` first.
///
/// Not thread-safe by itself: ``WorkerSupervisor`` owns every instance.
struct WorkerProcess: Sendable {
    /// The process id, which is also its process-group id.
    let pid: pid_t

    /// How a worker ended.
    enum Exit: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Spawns `executable arguments...` in `directory` with `environment`, in a new process group,
    /// with default signal dispositions (the parent ignores SIGINT/SIGTERM to catch them itself).
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      directory: String) throws -> WorkerProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        // posix_spawn has no portable chdir action: a shell changes folder, then `exec`s the
        // worker so the pid we hold is the worker's own.
        let shell = "/bin/sh"
        let argv = ([shell, "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, shell, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw CLIError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return WorkerProcess(pid: pid)
    }

    /// Reaps the process if it ended, without blocking.
    func poll() -> Exit? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else {
            // ECHILD: someone else reaped it; treat as gone rather than waiting forever.
            if rc == -1 && errno == ECHILD { return .exited(-1) }
            return nil
        }
        return Self.decode(status)
    }

    /// Sends `signal` to the whole process group.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// SIGTERM to the group, then SIGKILL after `grace`; returns once the process is reaped.
    func stop(grace: Duration = .seconds(5)) async {
        signalGroup(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while clock.now < deadline {
            if poll() != nil {
                signalGroup(SIGKILL) // leftovers of the group, if any
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        signalGroup(SIGKILL)
        for _ in 0..<100 where poll() == nil {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func decode(_ status: Int32) -> Exit {
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(low)
    }
}
