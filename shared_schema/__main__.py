from shared_schema.generate import main

main()
