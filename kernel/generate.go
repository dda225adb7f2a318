package kernel

//go:generate go run ./internal/genvectors
//go:generate go run ./internal/gensysnames
