/// The processes of a data-parallel job, as the core's synchronised operations need them
/// (`Functional.synchronizedBatchNorm` and its gradient). NablaCore knows nothing of MPI: the
/// library's `ProcessGroup` conforms, and a test can conform with threads.
///
/// Every process must call `exchange` the same number of times, in the same order, with the same
/// number of values: an operation that exchanges in its forward pass runs on every process, and so
/// does its gradient.
///
/// ```swift
/// let y = Functional.synchronizedBatchNorm(x, weight: gamma, bias: beta, over: group).output
/// ```
public protocol CollectiveGroup: AnyObject {
    /// The number of processes.
    var size: Int { get }
    /// This process's weight in the average of the processes' gradients taken after the backward
    /// pass (`DistributedDataParallel` weighs each rank by its samples in the step). A gradient that
    /// crosses processes is scaled by it, so that the weighted average is the whole batch's gradient.
    var gradientWeight: Double { get }
    /// Every process's `values`, in rank order, or nil when the exchange failed. Tensor math does
    /// not throw: a group keeps the failure and reports it from its next call that can throw.
    func exchange(_ values: [Double]) -> [[Double]]?
}
