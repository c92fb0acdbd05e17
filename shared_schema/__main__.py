from shared_schema.export import main

main()
