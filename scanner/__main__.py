from scanner._cli import main

main()
