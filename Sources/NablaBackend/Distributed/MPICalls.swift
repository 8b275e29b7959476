#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// The C entry points of MPI that Nabla calls, looked up with `dlsym`. A handle (communicator,
/// datatype, error handler) travels as one machine word: a pointer in Open MPI, a C int in MPICH,
/// both passed in an integer register.
struct Calls {
    typealias Initialize = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    typealias IntQuery = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias CommQuery = @convention(c) (Int, UnsafeMutablePointer<Int32>) -> Int32
    typealias SetErrorHandler = @convention(c) (Int, Int) -> Int32
    typealias Broadcast = @convention(c) (UnsafeMutableRawPointer, Int32, Int, Int32, Int) -> Int32
    typealias Exchange = @convention(c) (UnsafeRawPointer, Int32, Int, UnsafeMutableRawPointer, Int32, Int, Int) -> Int32
    typealias CommOnly = @convention(c) (Int) -> Int32
    typealias Abort = @convention(c) (Int, Int32) -> Int32
    typealias Plain = @convention(c) () -> Int32
    typealias Text = @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
    typealias ErrorText = @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    let initialize: Initialize
    let initialized: IntQuery
    let rank: CommQuery
    let size: CommQuery
    let setErrorHandler: SetErrorHandler
    let broadcast: Broadcast
    let allGather: Exchange
    let allToAll: Exchange
    let barrier: CommOnly
    let abort: Abort
    let finalize: Plain
    let libraryVersion: Text
    let errorString: ErrorText

    /// Every entry point, or nil when one is missing.
    init?(_ handle: UnsafeMutableRawPointer) {
        func symbol<T>(_ name: String, _: T.Type) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: T.self) } }
        guard let initialize = symbol("MPI_Init", Initialize.self), let initialized = symbol("MPI_Initialized", IntQuery.self),
              let rank = symbol("MPI_Comm_rank", CommQuery.self), let size = symbol("MPI_Comm_size", CommQuery.self),
              let setErrorHandler = symbol("MPI_Comm_set_errhandler", SetErrorHandler.self),
              let broadcast = symbol("MPI_Bcast", Broadcast.self), let allGather = symbol("MPI_Allgather", Exchange.self),
              let allToAll = symbol("MPI_Alltoall", Exchange.self), let barrier = symbol("MPI_Barrier", CommOnly.self),
              let abort = symbol("MPI_Abort", Abort.self), let finalize = symbol("MPI_Finalize", Plain.self),
              let libraryVersion = symbol("MPI_Get_library_version", Text.self),
              let errorString = symbol("MPI_Error_string", ErrorText.self)
        else { return nil }
        (self.initialize, self.initialized, self.rank, self.size) = (initialize, initialized, rank, size)
        (self.setErrorHandler, self.broadcast, self.allGather, self.allToAll) = (setErrorHandler, broadcast, allGather, allToAll)
        (self.barrier, self.abort, self.finalize) = (barrier, abort, finalize)
        (self.libraryVersion, self.errorString) = (libraryVersion, errorString)
    }
}
