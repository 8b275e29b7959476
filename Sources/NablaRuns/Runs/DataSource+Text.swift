import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

extension DataSource {
    /// A text as a language model trains on it: the vocabulary of the whole text (its sorted
    /// distinct characters, as nanoGPT's `prepare.py`, so that validation meets no unknown
    /// character); the first part as training windows at every position; the last
    /// `round(count · validationFraction)` characters as non-overlapping validation windows.
    func loadText(_ path: String, _ options: DataOptions) throws -> LoadedData {
        let characters = try TextFile.read(contentsOf: URL(fileURLWithPath: path))
        let vocabulary = Vocabulary(text: characters)
        let tokens = characters.map { vocabulary.token($0)! }
        let t = options.blockSize
        let held = Int((Double(tokens.count) * options.validationFraction).rounded())
        let trained = tokens.count - held
        guard trained > t, held == 0 || held > t else {
            let tail: SettingText = held == 0 ? "" : " and as many in the held-out tail (\(held) characters, \(setting: .validationSplit) \(options.validationFraction))"
            throw DataError("""
                \(path): \(tokens.count) characters are too few for windows of \(t): training needs at least \(t + 1)\(tail); \
                use a longer text or a smaller \(setting: .blockSize)
                """)
        }
        let train = TextWindows(tokens: Array(tokens[..<trained]), blockSize: t)
        let validation = held > 0 ? TextWindows(tokens: Array(tokens[trained...]), blockSize: t, stride: t) : nil
        return LoadedData(train: train, test: nil, inputShape: [t], task: .languageModeling, outputs: vocabulary.count,
                          classNames: [], standardizer: nil, validation: validation, vocabulary: vocabulary)
    }
}
