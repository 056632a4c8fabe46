module lesionui/engine/linalg/internal/asmgen

go 1.26.8
