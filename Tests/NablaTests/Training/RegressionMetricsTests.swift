import Testing
@testable import NablaLibrary
import Nabla

/// MAE, RMSE and R² as scikit-learn computes them (values from its documentation's examples).
@Suite struct RegressionMetricsTests {
    @Test func singleOutputMatchesScikitLearn() {
        var m = RegressionMetrics()
        m.add(predictions: Tensor([[2.5], [0]]), targets: Tensor([[3], [-0.5]]))
        m.add(predictions: Tensor([[2], [8]]), targets: Tensor([[2], [7]]))
        #expect(Swift.abs(m.mae - 0.5) < 1e-12)
        #expect(Swift.abs(m.rmse - 0.375.squareRoot()) < 1e-12)
        #expect(Swift.abs(m.r2 - 0.948_608_137_044_968) < 1e-9)
    }

    @Test func multiOutputR2IsTheMeanOverColumns() {
        var m = RegressionMetrics()
        m.add(predictions: Tensor([[0, 2], [-1, 2], [8, -5]]), targets: Tensor([[0.5, 1], [-1, 1], [7, -6]]))
        #expect(Swift.abs(m.r2 - 0.936_800_526_662_277_9) < 1e-9)
        #expect(Swift.abs(m.mae - 0.75) < 1e-12)
    }

    @Test func evaluateReportsThemForRegression() {
        let model = Sequential { Linear(1, 1) }
        let data = TensorDataset(inputs: Tensor([[1], [2], [3]]), targets: Tensor([[1], [2], [4]]))
        let result = evaluate(model, on: DataLoader(data, batchSize: 2), loss: { mseLoss($0, $1) }, task: .regression)
        #expect(result.regression != nil && result.accuracy == nil)
        #expect(Swift.abs(result.regression!.rmse * result.regression!.rmse - result.loss) < 1e-5)
    }
}
