#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif
import Foundation

/// The system's MPI, opened with `dlopen` as the BLAS is: Nabla links no MPI and needs no MPI headers.
///
/// Only byte-typed collectives are used (broadcast, all-gather, all-to-all, barrier): every sum is
/// computed by Nabla in rank order, so the result does not depend on the algorithm the MPI library
/// picks. Open MPI's handles are the addresses of exported globals (`ompi_mpi_comm_world`, …),
/// MPICH's are integer constants; `Handles` holds either as one machine word, which is how both
/// ABIs pass them to the C entry points.
///
///     let mpi = try MPILibrary.load()          // only under a launcher (mpirun, srun)
///     try mpi.initialize()
///     print(mpi.name, try mpi.rank(), try mpi.size())
public final class MPILibrary: @unchecked Sendable {
    /// The library's own version line and file, e.g. "Open MPI v4.1.4 (libmpi.so.40)".
    public let name: String
    let handles: Handles
    private let calls: Calls

    /// The few handles Nabla passes, as one machine word each.
    struct Handles {
        var world: Int, byte: Int, errorsReturn: Int
    }

    /// Libraries tried in order, unless `NABLA_MPI_LIBRARY` names one.
    public static let candidates = ["libmpi.so.40", "libmpi.so", "libmpich.so.12", "libmpi.so.12", "libmpi.dylib"]

    /// Opens the first MPI library that loads; throws `MPIError.libraryNotFound` naming what was tried.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(MPIError) -> MPILibrary {
        let files = environment["NABLA_MPI_LIBRARY"].map { [$0] } ?? candidates
        var reasons: [String] = []
        for file in files {
            // Open MPI opens its own components with dlopen, and they need libmpi's symbols: RTLD_GLOBAL.
            guard let handle = dlopen(file, RTLD_NOW | RTLD_GLOBAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? file)
                continue
            }
            if let library = MPILibrary(handle: handle, file: file) { return library }
            reasons.append("\(file): not an MPI library Nabla knows (neither Open MPI's nor MPICH's symbols)")
            dlclose(handle)
        }
        throw .libraryNotFound(tried: files, reasons: reasons)
    }

    private init?(handle: UnsafeMutableRawPointer, file: String) {
        guard let calls = Calls(handle) else { return nil }
        let version = Self.version(calls)
        if let world = dlsym(handle, "ompi_mpi_comm_world"), let byte = dlsym(handle, "ompi_mpi_byte"),
           let errors = dlsym(handle, "ompi_mpi_errors_return") {
            handles = Handles(world: Int(bitPattern: world), byte: Int(bitPattern: byte), errorsReturn: Int(bitPattern: errors))
        } else if ["MPICH", "Intel(R) MPI", "MVAPICH"].contains(where: version.contains) {
            // The constants of MPICH's mpi.h, shared by its ABI family (Intel MPI, MVAPICH, Cray MPICH).
            handles = Handles(world: 0x4400_0000, byte: 0x4c00_010d, errorsReturn: 0x5400_0001)
        } else {
            return nil
        }
        self.calls = calls
        name = "\(version) (\(file))"
    }

    /// The first line of `MPI_Get_library_version`, which may be called before `MPI_Init`.
    private static func version(_ calls: Calls) -> String {
        var buffer = [CChar](repeating: 0, count: 8192)
        var length: Int32 = 0
        guard calls.libraryVersion(&buffer, &length) == 0 else { return "MPI" }
        let text = Self.text(buffer)
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return first.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? first
    }

    /// `MPI_Init`, then errors returned as codes rather than aborting, so that Nabla reports them.
    ///
    /// Unless the user chose otherwise, Open MPI's ranks yield the core while they wait in a
    /// collective instead of spinning: on shared or busy cores a spinning rank slowed the rank it
    /// waited for (an MLP epoch on 2 ranks took 20 s spinning, 13 s yielding, on this 2-core VM under load).
    public func initialize() throws(MPIError) {
        setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0)
        var done: Int32 = 0
        try check(calls.initialized(&done), "MPI_Initialized")
        if done == 0 { try check(calls.initialize(nil, nil), "MPI_Init") }
        try check(calls.setErrorHandler(handles.world, handles.errorsReturn), "MPI_Comm_set_errhandler")
    }

    /// This process's rank in the world communicator.
    public func rank() throws(MPIError) -> Int {
        var value: Int32 = 0
        try check(calls.rank(handles.world, &value), "MPI_Comm_rank")
        return Int(value)
    }

    /// The number of processes in the world communicator.
    public func size() throws(MPIError) -> Int {
        var value: Int32 = 0
        try check(calls.size(handles.world, &value), "MPI_Comm_size")
        return Int(value)
    }

    /// Copies `count` bytes at `buffer` on rank `root` into `buffer` on every rank.
    public func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int, root: Int) throws(MPIError) {
        var offset = 0
        repeat {   // MPI counts are C ints: send in pieces below 2 GiB
            let piece = Swift.min(count - offset, 1 << 30)
            try check(calls.broadcast(buffer + offset, Int32(piece), handles.byte, Int32(root), handles.world), "MPI_Bcast")
            offset += piece
        } while offset < count
    }

    /// Every rank's `count` bytes, concatenated in rank order into `result` (`count` × size bytes).
    public func allGather(_ send: UnsafeRawPointer, count: Int, into result: UnsafeMutableRawPointer) throws(MPIError) {
        precondition(count < Int(Int32.max), "MPILibrary.allGather: \(count) bytes per rank exceed a C int")
        try check(calls.allGather(send, Int32(count), handles.byte, result, Int32(count), handles.byte, handles.world), "MPI_Allgather")
    }

    /// Sends the `r`-th block of `count` bytes of `send` to rank `r`; block `r` of `result` comes from rank `r`.
    public func allToAll(_ send: UnsafeRawPointer, count: Int, into result: UnsafeMutableRawPointer) throws(MPIError) {
        precondition(count < Int(Int32.max), "MPILibrary.allToAll: \(count) bytes per block exceed a C int")
        try check(calls.allToAll(send, Int32(count), handles.byte, result, Int32(count), handles.byte, handles.world), "MPI_Alltoall")
    }

    /// Waits until every rank has called it.
    public func barrier() throws(MPIError) {
        try check(calls.barrier(handles.world), "MPI_Barrier")
    }

    /// `MPI_Finalize`: every rank calls it once, after its last collective.
    public func finalize() {
        _ = calls.finalize()
    }

    /// Ends every process of the job with `code` (`MPI_Abort`).
    public func abort(code: Int32) -> Never {
        _ = calls.abort(handles.world, code)
        exit(code)
    }

    /// The text of a NUL-terminated C string buffer.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func check(_ code: Int32, _ call: String) throws(MPIError) {
        guard code != 0 else { return }
        var buffer = [CChar](repeating: 0, count: 1024)
        var length: Int32 = 0
        let text = calls.errorString(code, &buffer, &length) == 0 ? Self.text(buffer) : "error code \(code)"
        throw .callFailed(call: call, message: text)
    }
}

/// What went wrong with MPI: no library, or a call that failed (often because another rank died).
public enum MPIError: Error, CustomStringConvertible, Equatable, Sendable {
    case libraryNotFound(tried: [String], reasons: [String])
    case callFailed(call: String, message: String)

    public var description: String {
        switch self {
        case .libraryNotFound(let tried, _):
            return "no MPI library could be loaded (tried \(tried.joined(separator: ", "))); install Open MPI "
                + "(Debian: openmpi-bin libopenmpi3) or MPICH, or name the library in NABLA_MPI_LIBRARY"
        case .callFailed(let call, let message):
            return "\(call) failed: \(message)"
        }
    }
}
