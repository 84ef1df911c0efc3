const count = (module.exports.count || 0) + 1
exports.twice = (x) => x * 2
exports.loads = () => count
