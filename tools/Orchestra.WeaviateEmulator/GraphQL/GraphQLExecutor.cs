using System.Text.Json.Nodes;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// Answers POST /v1/graphql for the part of Weaviate's GraphQL API the dashboard uses:
/// <c>Get { Class(where, limit, offset, after, sort, nearVector, nearObject, bm25, hybrid) { props _additional { … } } }</c>
/// and <c>Aggregate { Class(where) { meta { count } prop { count … } } }</c>.
/// The query is parsed by GraphQL-Parser; validation errors come back without <c>data</c>, resolver errors
/// (unknown property in a filter, wrong vector length, certainty on a non-cosine class, …) with
/// <c>data.Get.Class = null</c> and a path — both with HTTP 200, as Weaviate does.
/// </summary>
internal sealed class GraphQLExecutor(EmulatorStore store)
{
    public const int DefaultLimit = 100;       // QUERY_DEFAULTS_LIMIT for GraphQL (ENDPOINTS.md §7)
    public const int MaximumResults = 10000;   // QUERY_MAXIMUM_RESULTS

    private static readonly IReadOnlySet<string> GetArguments = Set("where", "limit", "offset", "after", "sort", "nearVector", "nearObject", "bm25", "hybrid");
    private static readonly IReadOnlySet<string> AggregateArguments = Set("where");
    private static readonly IReadOnlySet<string> AdditionalFields = Set("id", "distance", "certainty", "score", "explainScore", "vector", "creationTimeUnix", "lastUpdateTimeUnix", "isConsistent");
    private static readonly IReadOnlySet<string> NearVectorFields = Set("vector", "distance", "certainty", "targetVectors");
    private static readonly IReadOnlySet<string> NearObjectFields = Set("id", "beacon", "distance", "certainty", "targetVectors");
    private static readonly IReadOnlySet<string> Bm25Fields = Set("query", "properties");
    private static readonly IReadOnlySet<string> HybridFields = Set("query", "alpha", "vector", "fusionType", "properties", "targetVectors");
    private static readonly IReadOnlySet<string> FusionTypes = Set("rankedFusion", "relativeScoreFusion");
    private static readonly IReadOnlySet<string> SortFields = Set("path", "order");
    private static readonly IReadOnlySet<string> SortOrders = Set("asc", "desc");
    private static readonly IReadOnlySet<string> WhereFields = Set("operator", "path", "operands",
        "valueText", "valueString", "valueInt", "valueNumber", "valueBoolean", "valueDate",
        "valueTextArray", "valueStringArray", "valueIntArray", "valueNumberArray", "valueBooleanArray", "valueDateArray", "valueGeoRange");

    private static IReadOnlySet<string> Set(params string[] items) => new HashSet<string>(items, StringComparer.Ordinal);

    // ------------------------------------------------------------------ plans

    private sealed record Selection(string Key, string Kind, PropertyDef? Property = null, List<(string Key, string Name)>? Sub = null);

    private sealed class GetPlan
    {
        public required string Key;
        public required ClassState Class;
        public required GraphQLField Field;
        public required List<Selection> Selections;
        public required ObjectQuery Query;
    }

    private sealed class AggregatePlan
    {
        public required string Key;
        public required ClassState Class;
        public required GraphQLField Field;
        public required List<Selection> Selections;
        public WhereClause? Where;
    }

    private sealed record RootPlan(string Key, string Kind, List<object> Classes);

    private sealed class Context
    {
        public required string Source;
        public required Dictionary<string, GraphQLFragmentDefinition> Fragments;
        public required Dictionary<string, GqlValue> Variables;
        public List<JsonObject> Errors { get; } = [];
    }

    // ------------------------------------------------------------------ entry point

    /// <returns>The GraphQLResponse body.</returns>
    public JsonObject Execute(string query, string? operationName, JsonObject? variables)
    {
        GraphQLDocument document;
        try
        {
            document = Parser.Parse(query, new ParserOptions { Ignore = IgnoreOptions.Comments });
        }
        catch (GraphQLParserException e)
        {
            return new JsonObject
            {
                ["errors"] = new JsonArray(Error($"Syntax Error GraphQL request ({e.Location.Line}:{e.Location.Column}) {e.Description}",
                    e.Location.Line, e.Location.Column, null)),
            };
        }

        var context = new Context
        {
            Source = query,
            Fragments = document.Definitions.OfType<GraphQLFragmentDefinition>()
                .GroupBy(f => f.FragmentName.Name.StringValue).ToDictionary(g => g.Key, g => g.First()),
            Variables = new Dictionary<string, GqlValue>(StringComparer.Ordinal),
        };

        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        GraphQLOperationDefinition? operation;
        if (operationName is { Length: > 0 })
            operation = operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        else if (operations.Count == 1)
            operation = operations[0];
        else
            operation = null;
        if (operation is null)
        {
            var message = operations.Count == 0 ? "Must provide an operation."
                : operationName is { Length: > 0 } ? $"Unknown operation named \"{operationName}\"."
                : "Must provide operation name if query contains multiple operations.";
            return ErrorsOnly(Error(message, 1, 1, null));
        }
        if (operation.Operation != OperationType.Query)
            return ErrorsOnly(ErrorAt(context, $"Schema is not configured for {operation.Operation.ToString().ToLowerInvariant()}s.", operation.Location.Start, null));

        using var _ = store.Read();
        try
        {
            foreach (var definition in operation.Variables?.Items ?? [])
            {
                var name = definition.Variable.Name.StringValue;
                if (variables is not null && variables.TryGetPropertyValue(name, out var json))
                    context.Variables[name] = GqlValues.FromJson(json);
                else if (definition.DefaultValue is not null)
                    context.Variables[name] = GqlValues.FromAst(definition.DefaultValue, context.Variables);
                else
                    context.Variables[name] = GqlNull.Instance;
            }

            var roots = PlanRoots(context, operation.SelectionSet);
            if (context.Errors.Count > 0)
                return ErrorsOnly(context.Errors.ToArray());

            var data = new JsonObject();
            foreach (var root in roots)
            {
                if (root.Kind == "__typename")
                {
                    data[root.Key] = "WeaviateObj";
                    continue;
                }
                var rootObject = new JsonObject();
                foreach (var plan in root.Classes)
                {
                    switch (plan)
                    {
                        case GetPlan get:
                            rootObject[get.Key] = ExecuteGet(context, root.Key, get);
                            break;
                        case AggregatePlan aggregate:
                            rootObject[aggregate.Key] = ExecuteAggregate(context, root.Key, aggregate);
                            break;
                        case string typename:
                            rootObject[typename] = root.Kind == "Get" ? "GetObjectsObj" : "AggregateObjectsObj";
                            break;
                    }
                }
                data[root.Key] = rootObject;
            }
            var response = new JsonObject { ["data"] = data };
            if (context.Errors.Count > 0)
                response["errors"] = new JsonArray(context.Errors.ToArray<JsonNode?>());
            return response;
        }
        catch (GqlValidationException e)
        {
            return ErrorsOnly(ErrorAt(context, e.Message, e.Position, null));
        }
    }

    // ------------------------------------------------------------------ planning (validation)

    private List<RootPlan> PlanRoots(Context context, GraphQLSelectionSet selectionSet)
    {
        var roots = new List<RootPlan>();
        foreach (var field in Fields(context, selectionSet))
        {
            var name = field.Name.StringValue;
            var key = field.Alias?.Name.StringValue ?? name;
            if (name == "__typename")
            {
                roots.Add(new RootPlan(key, "__typename", []));
                continue;
            }
            if (name is not ("Get" or "Aggregate"))
            {
                context.Errors.Add(ErrorAt(context, $"Cannot query field \"{name}\" on type \"WeaviateObj\".", field.Location.Start, null));
                continue;
            }
            var typeName = name == "Get" ? "GetObjectsObj" : "AggregateObjectsObj";
            foreach (var argument in field.Arguments?.Items ?? [])
                context.Errors.Add(ErrorAt(context, $"Unknown argument \"{argument.Name.StringValue}\" on field \"{name}\" of type \"WeaviateObj\".", argument.Location.Start, null));
            if (field.SelectionSet is null)
            {
                context.Errors.Add(ErrorAt(context, $"Field \"{name}\" of type \"{typeName}\" must have a sub selection.", field.Location.Start, null));
                continue;
            }
            var classes = new List<object>();
            foreach (var classField in Fields(context, field.SelectionSet))
            {
                var className = classField.Name.StringValue;
                if (className == "__typename")
                {
                    classes.Add(classField.Alias?.Name.StringValue ?? className);
                    continue;
                }
                if (!store.TryGetClass(className, out var cls))
                {
                    context.Errors.Add(ErrorAt(context, $"Cannot query field \"{className}\" on type \"{typeName}\".", classField.Location.Start, null));
                    continue;
                }
                try
                {
                    classes.Add(name == "Get" ? PlanGet(context, cls, classField) : PlanAggregate(context, cls, classField));
                }
                catch (GqlValidationException e)
                {
                    context.Errors.Add(ErrorAt(context, e.Message, e.Position, null));
                }
            }
            roots.Add(new RootPlan(key, name, classes));
        }
        return roots;
    }

    /// <summary>The fields of a selection set with fragment spreads and inline fragments expanded and @skip/@include applied.</summary>
    private static IEnumerable<GraphQLField> Fields(Context context, GraphQLSelectionSet set)
    {
        foreach (var selection in set.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    if (Included(context, field.Directives))
                        yield return field;
                    break;
                case GraphQLFragmentSpread spread:
                    if (!Included(context, spread.Directives))
                        break;
                    var name = spread.FragmentName.Name.StringValue;
                    if (!context.Fragments.TryGetValue(name, out var fragment))
                        throw new GqlValidationException($"Unknown fragment \"{name}\".", spread.Location.Start);
                    foreach (var f in Fields(context, fragment.SelectionSet))
                        yield return f;
                    break;
                case GraphQLInlineFragment inline:
                    if (!Included(context, inline.Directives))
                        break;
                    foreach (var f in Fields(context, inline.SelectionSet))
                        yield return f;
                    break;
            }
        }
    }

    private static bool Included(Context context, GraphQLDirectives? directives)
    {
        foreach (var directive in directives?.Items ?? [])
        {
            var name = directive.Name.StringValue;
            if (name is not ("skip" or "include"))
                throw new GqlValidationException($"Unknown directive \"{name}\".", directive.Location.Start);
            var argument = directive.Arguments?.Items.FirstOrDefault(a => a.Name.StringValue == "if")
                ?? throw new GqlValidationException($"Directive \"@{name}\" argument \"if\" of type \"Boolean!\" is required but not provided.", directive.Location.Start);
            var value = GqlValues.FromAst(argument.Value, context.Variables) is GqlBool b ? b.Value
                : throw new GqlValidationException($"Directive \"@{name}\" argument \"if\" must be a Boolean.", argument.Location.Start);
            if (name == "skip" ? value : !value)
                return false;
        }
        return true;
    }

    private GetPlan PlanGet(Context context, ClassState cls, GraphQLField field)
    {
        var plan = new GetPlan
        {
            Key = field.Alias?.Name.StringValue ?? cls.Name,
            Class = cls,
            Field = field,
            Selections = PlanObjectSelections(context, cls, field),
            Query = new ObjectQuery { Class = cls },
        };
        var query = plan.Query;
        // Certainty is an error on a non-cosine class when _additional asks for it (the gRPC API leaves it out instead).
        query.CertaintyRequired = plan.Selections.Any(s => s.Kind == "additional" && s.Sub!.Any(x => x.Name == "certainty"));
        foreach (var argument in field.Arguments?.Items ?? [])
        {
            var name = argument.Name.StringValue;
            if (!GetArguments.Contains(name))
                throw new GqlValidationException($"Unknown argument \"{name}\" on field \"{cls.Name}\" of type \"GetObjectsObj\".", argument.Location.Start);
            var value = GqlValues.FromAst(argument.Value, context.Variables);
            if (value is GqlNull)
                continue;
            // graphql-go's ArgumentsOfCorrectType reports the location of the value, not of the argument's name.
            var reader = new ArgReader(name, value, argument.Value.Location.Start);
            switch (name)
            {
                case "where":
                    query.Where = ReadWhere(reader, value, null);
                    break;
                case "limit":
                    query.Limit = reader.Int(value);
                    break;
                case "offset":
                    query.Offset = reader.Int(value);
                    break;
                case "after":
                    query.After = reader.String(value);
                    break;
                case "sort":
                    query.Sort = reader.List(value, item =>
                    {
                        var o = reader.Object(item, $"GetObjects{cls.Name}SortInpObj", SortFields);
                        var path = o["path"] is { } p ? reader.List(p, x => reader.String(x, "path")) : [];
                        if (path.Count != 1)
                            throw reader.Fail("Expected a path with one property name.", "path");
                        var order = o["order"] is { } ord and not GqlNull ? reader.Enum(ord, "SortOrder", SortOrders, "order") : "asc";
                        return (path[0], order == "desc");
                    });
                    break;
                case "nearVector":
                {
                    var o = reader.Object(value, "NearVectorInpObj", NearVectorFields);
                    query.NearVector = ReadNear(reader, o);
                    query.NearVector.Vector = o["vector"] is { } v and not GqlNull
                        ? ReadVector(reader, v, "vector")
                        : throw reader.Fail("Expected \"[Float]!\", found null.", "vector");
                    break;
                }
                case "nearObject":
                {
                    var o = reader.Object(value, "NearObjectInpObj", NearObjectFields);
                    query.NearObject = ReadNear(reader, o);
                    if (o["id"] is { } id and not GqlNull)
                        query.NearObject.ObjectId = reader.String(id, "id");
                    else if (o["beacon"] is { } beacon and not GqlNull)
                        query.NearObject.ObjectId = reader.String(beacon, "beacon").Split('/')[^1];
                    break;
                }
                case "bm25":
                {
                    var o = reader.Object(value, "Bm25InpObj", Bm25Fields);
                    var text = o["query"] is { } q and not GqlNull ? reader.String(q, "query") : "";
                    var properties = o["properties"] is { } p and not GqlNull ? reader.List(p, x => reader.String(x, "properties")) : null;
                    query.Bm25 = (text, properties);
                    break;
                }
                case "hybrid":
                {
                    var o = reader.Object(value, "HybridInpObj", HybridFields);
                    var text = o["query"] is { } q and not GqlNull ? reader.String(q, "query") : "";
                    var alpha = o["alpha"] is { } a and not GqlNull ? reader.Float(a, "alpha") : 0.75;
                    var vector = o["vector"] is { } v and not GqlNull ? ReadVector(reader, v, "vector") : null;
                    var fusion = o["fusionType"] is { } f and not GqlNull ? reader.Enum(f, "FusionEnum", FusionTypes, "fusionType") : "relativeScoreFusion";
                    var properties = o["properties"] is { } p and not GqlNull ? reader.List(p, x => reader.String(x, "properties")) : null;
                    if (o["targetVectors"] is GqlList { Items.Count: > 0 })
                        throw reader.Fail("named vectors (targetVectors) are not supported by the Weaviate emulator.", "targetVectors");
                    query.Hybrid = (text, alpha, vector, fusion, properties);
                    break;
                }
            }
        }
        return plan;
    }

    private static NearArgs ReadNear(ArgReader reader, GqlObject o)
    {
        if (o["targetVectors"] is GqlList { Items.Count: > 0 })
            throw reader.Fail("named vectors (targetVectors) are not supported by the Weaviate emulator.", "targetVectors");
        return new NearArgs
        {
            Distance = o["distance"] is { } d and not GqlNull ? reader.Float(d, "distance") : null,
            Certainty = o["certainty"] is { } c and not GqlNull ? reader.Float(c, "certainty") : 0,
        };
    }

    private static float[] ReadVector(ArgReader reader, GqlValue value, string field) =>
        reader.List(value, x => (float)reader.Float(x, field)).ToArray();

    internal static WhereClause ReadWhere(ArgReader reader, GqlValue value, string? field)
    {
        var o = reader.Object(value, "WhereInpObj", WhereFields, field);
        var op = o["operator"] is { } opValue and not GqlNull
            ? reader.Enum(opValue, "WhereOperatorEnum", WhereFilter.Operators, Join(field, "operator"))
            : throw reader.Fail("Expected \"WhereOperatorEnum!\", found null.", Join(field, "operator"));
        var path = o["path"] is { } p and not GqlNull ? reader.List(p, x => reader.String(x, Join(field, "path"))) : null;
        var operands = o["operands"] is { } ops and not GqlNull ? reader.List(ops, x => ReadWhere(reader, x, Join(field, "operands"))) : null;

        string? valueField = null;
        List<object>? values = null;
        foreach (var (name, raw) in o.Fields)
        {
            if (!name.StartsWith("value", StringComparison.Ordinal) || raw is GqlNull)
                continue;
            if (valueField is not null)
                throw reader.Fail("only one value field may be set.", Join(field, name));
            valueField = name;
            var scalar = name.EndsWith("Array", StringComparison.Ordinal) ? name[..^5] : name;
            values = reader.List<object>(raw, x => scalar switch
            {
                "valueText" or "valueString" => reader.String(x, Join(field, name)),
                "valueInt" => reader.Int(x, Join(field, name)),
                "valueNumber" => reader.Float(x, Join(field, name)),
                "valueBoolean" => reader.Bool(x, Join(field, name)),
                "valueDate" => PropertyValues.TryParseDate(reader.String(x, Join(field, name)), out var date)
                    ? date
                    : throw reader.Fail($"Expected an RFC 3339 date, found {x.Print()}.", Join(field, name)),
                _ => throw reader.Fail("WithinGeoRange is not supported by the Weaviate emulator.", Join(field, name)),
            });
        }
        return new WhereClause(op, path, valueField, values, operands);
    }

    private static string Join(string? prefix, string name) => prefix is null ? name : $"{prefix}.{name}";

    private List<Selection> PlanObjectSelections(Context context, ClassState cls, GraphQLField field)
    {
        if (field.SelectionSet is null)
            throw new GqlValidationException($"Field \"{cls.Name}\" of type \"[{cls.Name}]\" must have a sub selection.", field.Location.Start);
        var selections = new List<Selection>();
        foreach (var child in Fields(context, field.SelectionSet))
        {
            var name = child.Name.StringValue;
            var key = child.Alias?.Name.StringValue ?? name;
            if (child.Arguments is { Count: > 0 } && name != "_additional")
                throw new GqlValidationException($"Unknown argument \"{child.Arguments[0].Name.StringValue}\" on field \"{name}\" of type \"{cls.Name}\".", child.Arguments[0].Location.Start);
            if (name == "__typename")
            {
                selections.Add(new Selection(key, "typename"));
                continue;
            }
            if (name == "_additional")
            {
                if (child.SelectionSet is null)
                    throw new GqlValidationException($"Field \"_additional\" of type \"{cls.Name}AdditionalProps\" must have a sub selection.", child.Location.Start);
                var sub = new List<(string, string)>();
                foreach (var extra in Fields(context, child.SelectionSet))
                {
                    var extraName = extra.Name.StringValue;
                    if (!AdditionalFields.Contains(extraName) && extraName != "__typename")
                        throw new GqlValidationException($"Cannot query field \"{extraName}\" on type \"{cls.Name}AdditionalProps\".", extra.Location.Start);
                    if (extra.SelectionSet is not null)
                        throw new GqlValidationException($"Field \"{extraName}\" must not have a selection since type \"{AdditionalType(extraName)}\" has no subfields.", extra.Location.Start);
                    sub.Add((extra.Alias?.Name.StringValue ?? extraName, extraName));
                }
                selections.Add(new Selection(key, "additional", Sub: sub));
                continue;
            }
            var prop = cls.Property(name)
                ?? throw new GqlValidationException($"Cannot query field \"{name}\" on type \"{cls.Name}\".", child.Location.Start);
            if (child.SelectionSet is not null)
                throw new GqlValidationException($"Field \"{name}\" must not have a selection since type \"{GraphQLType(prop)}\" has no subfields.", child.Location.Start);
            selections.Add(new Selection(key, "property", prop));
        }
        return selections;
    }

    private static string AdditionalType(string name) => name switch
    {
        "distance" or "certainty" => "Float",
        "vector" => "[Float]",
        "isConsistent" => "Boolean",
        _ => "String",
    };

    private static string GraphQLType(PropertyDef prop)
    {
        var scalar = prop.BaseType switch
        {
            "int" => "Int",
            "number" => "Float",
            "boolean" => "Boolean",
            "date" => "Date",
            _ => "String",
        };
        return prop.IsArray ? $"[{scalar}]" : scalar;
    }

    private AggregatePlan PlanAggregate(Context context, ClassState cls, GraphQLField field)
    {
        var typeName = $"Aggregate{cls.Name}";
        if (field.SelectionSet is null)
            throw new GqlValidationException($"Field \"{cls.Name}\" of type \"[{typeName}]\" must have a sub selection.", field.Location.Start);
        var plan = new AggregatePlan
        {
            Key = field.Alias?.Name.StringValue ?? cls.Name,
            Class = cls,
            Field = field,
            Selections = [],
        };
        foreach (var argument in field.Arguments?.Items ?? [])
        {
            var name = argument.Name.StringValue;
            if (!AggregateArguments.Contains(name))
                throw new GqlValidationException($"Unknown argument \"{name}\" on field \"{cls.Name}\" of type \"AggregateObjectsObj\".", argument.Location.Start);
            var value = GqlValues.FromAst(argument.Value, context.Variables);
            if (value is not GqlNull)
                plan.Where = ReadWhere(new ArgReader(name, value, argument.Value.Location.Start), value, null);
        }
        foreach (var child in Fields(context, field.SelectionSet))
        {
            var name = child.Name.StringValue;
            var key = child.Alias?.Name.StringValue ?? name;
            if (name == "__typename")
            {
                plan.Selections.Add(new Selection(key, "typename"));
                continue;
            }
            IReadOnlySet<string> allowed;
            PropertyDef? prop = null;
            string objectType;
            if (name == "meta")
            {
                allowed = Set("count");
                objectType = $"{typeName}MetaObject";
            }
            else
            {
                prop = cls.Property(name)
                    ?? throw new GqlValidationException($"Cannot query field \"{name}\" on type \"{typeName}\".", child.Location.Start);
                allowed = prop.BaseType switch
                {
                    "int" or "number" => Set("count", "type", "minimum", "maximum", "mean", "median", "mode", "sum"),
                    "date" => Set("count", "type", "minimum", "maximum", "median", "mode"),
                    "boolean" => Set("count", "type", "totalTrue", "totalFalse", "percentageTrue", "percentageFalse"),
                    _ => Set("count", "type"),
                };
                objectType = $"{typeName}{name}Obj";
            }
            if (child.SelectionSet is null)
                throw new GqlValidationException($"Field \"{name}\" of type \"{objectType}\" must have a sub selection.", child.Location.Start);
            var sub = new List<(string, string)>();
            foreach (var aggregateField in Fields(context, child.SelectionSet))
            {
                var aggregateName = aggregateField.Name.StringValue;
                if (!allowed.Contains(aggregateName) && aggregateName != "__typename")
                    throw new GqlValidationException($"Cannot query field \"{aggregateName}\" on type \"{objectType}\".", aggregateField.Location.Start);
                sub.Add((aggregateField.Alias?.Name.StringValue ?? aggregateName, aggregateName));
            }
            plan.Selections.Add(new Selection(key, name == "meta" ? "meta" : "property", prop, sub));
        }
        return plan;
    }

    // ------------------------------------------------------------------ execution

    private JsonNode? ExecuteGet(Context context, string rootKey, GetPlan plan)
    {
        try
        {
            return new JsonArray(ObjectSearch.Run(store, plan.Query, DefaultLimit).Select(hit => (JsonNode?)Render(plan, hit)).ToArray());
        }
        catch (Exception e) when (e is SearchException or FilterException)
        {
            context.Errors.Add(ErrorAt(context, e.Message, plan.Field.Location.Start, [rootKey, plan.Key]));
            return null;
        }
    }

    private static JsonObject Render(GetPlan plan, Hit hit)
    {
        var o = hit.Object;
        var result = new JsonObject();
        foreach (var selection in plan.Selections)
        {
            switch (selection.Kind)
            {
                case "typename":
                    result[selection.Key] = plan.Class.Name;
                    break;
                case "property":
                    result[selection.Key] = PropertyValues.ToJson(o.Values.GetValueOrDefault(selection.Property!.Name));
                    break;
                case "additional":
                    var additional = new JsonObject();
                    foreach (var (key, name) in selection.Sub!)
                    {
                        additional[key] = name switch
                        {
                            "id" => o.IdString,
                            "distance" => hit.Distance is { } d ? JsonValue.Create(d) : null,
                            "certainty" => hit.Distance is { } d && plan.Class.Distance == "cosine" ? JsonValue.Create(VectorMath.CertaintyFromDistance(d)) : null,
                            "score" => hit.Score is { } s ? SearchEngine.Format(s) : null,
                            "explainScore" => hit.ExplainScore,
                            "vector" => o.Vector is null ? null : new JsonArray(o.Vector.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                            "creationTimeUnix" => o.CreationTimeUnix.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            "lastUpdateTimeUnix" => o.LastUpdateTimeUnix.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            "__typename" => $"{plan.Class.Name}AdditionalProps",
                            _ => null, // isConsistent: only set when a consistency level is requested
                        };
                    }
                    result[selection.Key] = additional;
                    break;
            }
        }
        return result;
    }

    private JsonNode? ExecuteAggregate(Context context, string rootKey, AggregatePlan plan)
    {
        try
        {
            var filter = plan.Where is null ? null : WhereFilter.Compile(plan.Class, plan.Where);
            var objects = SearchEngine.Filtered(plan.Class, filter).ToList();
            var group = new JsonObject();
            foreach (var selection in plan.Selections)
            {
                if (selection.Kind == "typename")
                {
                    group[selection.Key] = $"Aggregate{plan.Class.Name}";
                    continue;
                }
                var result = new JsonObject();
                foreach (var (key, name) in selection.Sub!)
                    result[key] = selection.Kind == "meta"
                        ? name == "count" ? objects.Count : $"Aggregate{plan.Class.Name}MetaObject"
                        : AggregateProperty(plan.Class, selection.Property!, objects, name);
                group[selection.Key] = result;
            }
            return new JsonArray(group);
        }
        catch (FilterException e)
        {
            context.Errors.Add(ErrorAt(context, e.Message, plan.Field.Location.Start, [rootKey, plan.Key]));
            return null;
        }
    }

    private static JsonNode? AggregateProperty(ClassState cls, PropertyDef prop, List<StoredObject> objects, string field) => field switch
    {
        "type" => prop.DataType,
        "__typename" => $"Aggregate{cls.Name}{prop.Name}Obj",
        _ => Aggregation.Compute(prop, Aggregation.Values(prop, objects), field) switch
        {
            null => null,
            int count => count,
            double number => number,
            DateTimeOffset date => PropertyValues.FormatDate(date),
            var other => throw new InvalidOperationException(other.GetType().Name),
        },
    };

    // ------------------------------------------------------------------ errors

    private static JsonObject ErrorsOnly(params JsonObject[] errors) =>
        new() { ["errors"] = new JsonArray(errors.ToArray<JsonNode?>()) };

    private static JsonObject ErrorAt(Context context, string message, int position, string[]? path)
    {
        var location = Location.FromLinearPosition(context.Source, Math.Clamp(position, 0, context.Source.Length));
        return Error(message, location.Line, location.Column, path);
    }

    /// <summary>GraphQLError: locations and path are always present, null when absent (ENDPOINTS.md §8).</summary>
    private static JsonObject Error(string message, int line, int column, string[]? path) => new()
    {
        ["locations"] = new JsonArray(new JsonObject { ["column"] = column, ["line"] = line }),
        ["message"] = message,
        ["path"] = path is null ? null : new JsonArray(path.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
    };
}
