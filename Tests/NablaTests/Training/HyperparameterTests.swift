import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

@Suite struct SettingTextTests {
    @Test func rendersSettingsEitherWay() {
        let text: SettingText = "\(setting: .learningRate) -1.0: lower it, or clip gradients (\(setting: .clipNorm))"
        #expect(text.description == "learningRate -1.0: lower it, or clip gradients (clipNorm)")
        #expect(text.rendered { "<\($0.rawValue)>" } == "<learningRate> -1.0: lower it, or clip gradients (<clipNorm>)")
        #expect(text.settings == [.learningRate, .clipNorm])
    }

    @Test func equalTextsHaveEqualPieces() {
        let value = 3
        let interpolated: SettingText = "a \(value) b"
        #expect(interpolated == "a 3 b")
        #expect(interpolated.pieces == [.text("a 3 b")])
        let nested: SettingText = "x \(interpolated) \(setting: .epochs)"
        #expect(nested.pieces == [.text("x a 3 b "), .setting(.epochs)])
        #expect(ConfigurationError("\(setting: .epochs) 0") == ConfigurationError("\(setting: .epochs) \(0)"))
    }
}

@Suite struct HyperparameterTests {
    @Test func boundsSayWhatTheyAccept() {
        #expect(Bounds<Double>.positive.requirement == "must be positive")
        #expect(Bounds<Double>.nonNegative.requirement == "must be zero or positive")
        #expect(Bounds<Int>.atLeast(1).requirement == "must be at least 1")
        #expect(Bounds<Double>.unitHalfOpen.requirement == "must be in [0, 1)")
        #expect(Bounds<Double>.unitOpen.requirement == "must be in (0, 1)")
        #expect(Bounds<Float>.unitClosed.requirement == "must be in [0, 1]")
        #expect(Bounds<Double>.unitHalfOpen.contains(0) && !Bounds<Double>.unitHalfOpen.contains(1))
        #expect(!Bounds<Double>.unitOpen.contains(0) && Bounds<Double>.unitOpen.contains(0.5))
        #expect(!Bounds<Double>.nonNegative.contains(.nan))
    }

    @Test func validateNamesTheSettingInLibraryWords() throws {
        #expect(throws: ConfigurationError("\(setting: .learningRate) -1.0: must be zero or positive")) {
            try Hyperparameters.learningRate.validate(-1.0)
        }
        #expect { try Hyperparameters.epochs.validate(0) } throws: { "\($0)" == "epochs 0: must be at least 1" }
        #expect { try Hyperparameters.clipNorm.validate(Double?(0)) } throws: { "\($0)" == "clipNorm 0.0: must be positive" }
        try Hyperparameters.clipNorm.validate(Double?.none)
        try Hyperparameters.learningRate.validate(0.0)
    }

    @Test func optimizersTakeTheirDefaultsFromTheTable() throws {
        let p = [Parameter(Tensor([1]))]
        // PyTorch's defaults: SGD and Adam(W) lr 1e-3, Adagrad and RMSprop lr 1e-2, Adagrad eps 1e-10, AdamW decay 1e-2.
        #expect(SGD(p).learningRate == 1e-3 && SGD(p).momentum == 0)
        #expect(AdaGrad(p).learningRate == 1e-2 && AdaGrad(p).eps == 1e-10)
        #expect(RMSProp(p).learningRate == 1e-2 && RMSProp(p).eps == 1e-8)
        let adam = Adam(p), adamw = AdamW(p)
        #expect(adam.learningRate == 1e-3 && adam.betas == (0.9, 0.999) && adam.eps == 1e-8 && adam.weightDecay == 0)
        #expect(adamw.learningRate == 1e-3 && adamw.weightDecay == 1e-2)
        for kind in OptimizerKind.allCases {
            let made = try OptimizerSettings(kind: kind).makeOptimizer(p)
            #expect(made.learningRate == Hyperparameters.learningRate.defaultValue(for: kind), "\(kind)")
        }
        #expect((try OptimizerSettings(kind: .momentum).makeOptimizer(p) as? SGD)?.momentum == 0.9)
        #expect((try OptimizerSettings(kind: .adamw).makeOptimizer(p) as? AdamW)?.weightDecay == 1e-2)
    }

    @Test func givenSettingsReplaceTheDefaults() throws {
        let p = [Parameter(Tensor([1]))]
        let adamw = try OptimizerSettings(kind: .adamw, weightDecay: 0).makeOptimizer(p) as? AdamW
        #expect(adamw?.weightDecay == 0)
        let sgd = try OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: 0.5).makeOptimizer(p) as? SGD
        #expect(sgd?.learningRate == 0.1 && sgd?.momentum == 0.5)
        #expect { try OptimizerSettings(kind: .nesterov, momentum: 0).makeOptimizer(p) } throws: {
            "\($0)" == "momentum 0: nesterov needs a momentum above 0"
        }
        #expect { try OptimizerKind.named("adamax") } throws: {
            "\($0)" == "optimizer adamax: unknown; use one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw"
        }
    }

    @Test func trainingDefaultsComeFromTheTable() {
        let optimizer = SGD([Parameter(Tensor([1]))])
        #expect(StopCriteria().maxEpochs == Hyperparameters.epochs.defaultValue)
        #expect(ReduceLROnPlateau(optimizer).patience == 10 && ReduceLROnPlateau(optimizer).factor == 0.1)
        #expect(StepLR(optimizer, stepSize: 2).gamma == Hyperparameters.lrGamma.defaultValue)
        #expect(EarlyStopping(patience: 2).minDelta == Hyperparameters.minDelta.defaultValue)
    }
}
