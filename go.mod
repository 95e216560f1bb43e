module github.com/atelier-dev/atelier

go 1.26
